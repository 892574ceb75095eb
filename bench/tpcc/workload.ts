/**
 * What the five transactions return (the terminal output of clauses
 * 2.4.3, 2.5.3, 2.6.3, 2.7.3 and 2.8.3, as data) and the business rules the
 * SQL and the KV implementations share, so that both compute the same
 * results from the same database. Dates in outputs are ms since the epoch
 * and money is integer cents, whatever the driver stores.
 */
import { assert, unreachable } from '../../storage/device/index.js';
import type { ConsistencyFacts } from './consistency.js';
import type { DeliveryInput, NewOrderInput, OrderStatusInput, PaymentInput, StockLevelInput, TpccInput } from './inputs.js';
import { originalMarker } from './random-data.js';

export interface NewOrderLineOutput {
  readonly itemId: number;
  readonly supplyWarehouseId: number;
  readonly quantity: number;
  readonly itemName: string;
  readonly itemPriceCents: number;
  /** S_QUANTITY after this line's update. */
  readonly stockQuantity: number;
  /** 'B' when both I_DATA and S_DATA contain "ORIGINAL", else 'G'. */
  readonly brandGeneric: 'B' | 'G';
  readonly amountCents: number;
}

export interface NewOrderOutput {
  /** True for the 1% that hit the unused item: nothing of it was kept. */
  readonly rolledBack: boolean;
  readonly warehouseId: number;
  readonly districtId: number;
  readonly customerId: number;
  readonly orderId: number;
  readonly customerLastName: string;
  readonly customerCredit: string;
  readonly customerDiscount: number;
  readonly warehouseTax: number;
  readonly districtTax: number;
  readonly lineCount: number;
  readonly entryDateMs: number;
  /** sum(OL_AMOUNT) × (1 − C_DISCOUNT) × (1 + W_TAX + D_TAX), rounded to a cent; 0 when rolled back. */
  readonly totalAmountCents: number;
  /** Empty when rolled back. */
  readonly lines: readonly NewOrderLineOutput[];
}

export interface Address {
  readonly street1: string;
  readonly street2: string;
  readonly city: string;
  readonly state: string;
  readonly zip: string;
}

export interface PaymentOutput {
  readonly warehouseId: number;
  readonly districtId: number;
  readonly warehouseName: string;
  readonly warehouseAddress: Address;
  readonly districtName: string;
  readonly districtAddress: Address;
  readonly customerId: number;
  readonly customerWarehouseId: number;
  readonly customerDistrictId: number;
  readonly customerFirst: string;
  readonly customerMiddle: string;
  readonly customerLast: string;
  readonly customerAddress: Address;
  readonly customerPhone: string;
  readonly customerSinceMs: number;
  readonly customerCredit: string;
  readonly customerCreditLimitCents: number;
  readonly customerDiscount: number;
  /** C_BALANCE after the payment. */
  readonly customerBalanceCents: number;
  /** The first 200 characters of the new C_DATA for bad-credit customers, else null. */
  readonly customerData: string | null;
  readonly amountCents: number;
  readonly dateMs: number;
}

export interface OrderStatusLineOutput {
  readonly itemId: number;
  readonly supplyWarehouseId: number;
  readonly quantity: number;
  readonly amountCents: number;
  readonly deliveryDateMs: number | null;
}

export interface OrderStatusOutput {
  readonly warehouseId: number;
  readonly districtId: number;
  readonly customerId: number;
  readonly customerFirst: string;
  readonly customerMiddle: string;
  readonly customerLast: string;
  readonly customerBalanceCents: number;
  /** The customer's newest order; null if the customer has none. */
  readonly orderId: number | null;
  readonly entryDateMs: number | null;
  readonly carrierId: number | null;
  /** The order's lines by OL_NUMBER. */
  readonly lines: readonly OrderStatusLineOutput[];
}

export interface DeliveryOutput {
  readonly warehouseId: number;
  readonly carrierId: number;
  /** The order delivered in each district that had one, by district. */
  readonly delivered: readonly { readonly districtId: number; readonly orderId: number }[];
  /** Districts with no undelivered order (clause 2.7.4.2 asks to report them). */
  readonly skippedDistricts: number;
}

export interface StockLevelOutput {
  readonly warehouseId: number;
  readonly districtId: number;
  readonly threshold: number;
  /** Distinct items of the district's last 20 orders with S_QUANTITY below the threshold. */
  readonly lowStock: number;
}

export type TpccOutput = NewOrderOutput | PaymentOutput | OrderStatusOutput | DeliveryOutput | StockLevelOutput;

/** The five transactions and the consistency read-out, over one database. */
export interface TpccWorkload {
  newOrder(input: NewOrderInput): NewOrderOutput;
  payment(input: PaymentInput): PaymentOutput;
  orderStatus(input: OrderStatusInput): OrderStatusOutput;
  delivery(input: DeliveryInput): DeliveryOutput;
  stockLevel(input: StockLevelInput): StockLevelOutput;
  /** Reads what consistency conditions 1–4 need, in one consistent view. */
  consistencyFacts(): ConsistencyFacts;
}

/** Runs one transaction of the mix. */
export function runTransaction(workload: TpccWorkload, tx: TpccInput): TpccOutput {
  switch (tx.type) {
    case 'newOrder':
      return workload.newOrder(tx.input);
    case 'payment':
      return workload.payment(tx.input);
    case 'orderStatus':
      return workload.orderStatus(tx.input);
    case 'delivery':
      return workload.delivery(tx.input);
    case 'stockLevel':
      return workload.stockLevel(tx.input);
    default:
      return unreachable(tx, 'transaction');
  }
}

/** C_DATA never exceeds 500 characters (clause 2.5.2.2). */
export const customerDataCharsMax = 500;
/** Characters of C_DATA shown by Payment (clause 2.5.3.3). */
export const customerDataOutputChars = 200;
/** Stock-Level looks at the district's last 20 orders (clause 2.8.2.2). */
export const stockLevelOrders = 20;

/**
 * Position of the chosen customer among those with the last name, sorted by
 * C_FIRST: "the row at position n/2 rounded up" (clause 2.5.2.2), 0-based.
 */
export function middleCustomerIndex(count: number): number {
  assert(count >= 1, 'at least one customer has the last name');
  return Math.ceil(count / 2) - 1;
}

/** S_QUANTITY after ordering `quantity` (clause 2.4.2.2). */
export function stockQuantityAfter(stockQuantity: number, quantity: number): number {
  return stockQuantity >= quantity + 10 ? stockQuantity - quantity : stockQuantity - quantity + 91;
}

export function brandGeneric(itemData: string, stockData: string): 'B' | 'G' {
  return itemData.includes(originalMarker) && stockData.includes(originalMarker) ? 'B' : 'G';
}

export function totalAmountCents(linesCents: number, discount: number, warehouseTax: number, districtTax: number): number {
  return Math.round(linesCents * (1 - discount) * (1 + warehouseTax + districtTax));
}

/**
 * The new C_DATA of a bad-credit customer: C_ID, C_D_ID, C_W_ID, D_ID,
 * W_ID and H_AMOUNT inserted at the left, the old content shifted right and
 * cut at 500 characters (clause 2.5.2.2).
 */
export function badCreditData(input: PaymentInput, customerId: number, oldData: string): string {
  const amount = (input.amountCents / 100).toFixed(2);
  const entry = `${customerId} ${input.customerDistrictId} ${input.customerWarehouseId} ${input.districtId} ${input.warehouseId} ${amount} `;
  return (entry + oldData).slice(0, customerDataCharsMax);
}

/** H_DATA: W_NAME and D_NAME separated by 4 spaces (clause 2.5.2.2). */
export function historyData(warehouseName: string, districtName: string): string {
  return `${warehouseName}    ${districtName}`;
}

/** Signals the New-Order rollback from inside its transaction; carries the output. */
export class NewOrderRollback extends Error {
  constructor(readonly output: NewOrderOutput) {
    super('New-Order rolled back: unused item number');
  }
}
