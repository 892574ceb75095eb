/**
 * The inputs of the five transactions (clauses 2.4.1, 2.5.1, 2.6.1, 2.7.1,
 * 2.8.1) and the transaction mix, drawn from one seeded `Random`, so that
 * every driver of a run executes the same sequence of transactions.
 *
 * One emulated terminal runs every transaction, back to back, with no keying
 * or think time. A terminal's home warehouse is fixed in the specification;
 * with one terminal per run the home warehouse of each transaction is drawn
 * uniformly instead, so that every warehouse gets its share of the load (and
 * likewise the district of Stock-Level).
 */
import { assert, unreachable, type Clock, type Random } from '../../storage/device/index.js';
import { lastName, nuRand, nuRandCustomerIdA, nuRandItemIdA, nuRandLastNameA, type TpccConstants } from './random-data.js';
import { lastNameMax, orderLinesMax, orderLinesMin, unusedItemId, type TpccScale } from './scale.js';

export type TpccTransactionType = 'newOrder' | 'payment' | 'orderStatus' | 'delivery' | 'stockLevel';

export const tpccTransactionTypes: readonly TpccTransactionType[] = Object.freeze(['newOrder', 'payment', 'orderStatus', 'delivery', 'stockLevel']);

/**
 * The standard mix in percent (clause 5.2.3 sets the minimums of Payment,
 * Order-Status, Delivery and Stock-Level; New-Order takes the rest).
 */
export const tpccMixPercent: { readonly [type in TpccTransactionType]: number } = Object.freeze({
  newOrder: 45,
  payment: 43,
  orderStatus: 4,
  delivery: 4,
  stockLevel: 4,
});

export interface NewOrderLine {
  readonly itemId: number;
  readonly supplyWarehouseId: number;
  readonly quantity: number;
}

export interface NewOrderInput {
  readonly warehouseId: number;
  readonly districtId: number;
  readonly customerId: number;
  /** 5 to 15 lines; when `rollback`, the last line names an unused item. */
  readonly lines: readonly NewOrderLine[];
  /** The 1% of New-Orders that must roll back (rbk = 1, clause 2.4.1.4). */
  readonly rollback: boolean;
  /** O_ENTRY_D, in ms since the epoch. */
  readonly entryDateMs: number;
}

/** A customer chosen by C_LAST (60%) or by C_ID (clause 2.5.1.2, 2.6.1.2). */
export type CustomerSelector = { readonly byLastName: true; readonly lastName: string } | { readonly byLastName: false; readonly customerId: number };

export interface PaymentInput {
  readonly warehouseId: number;
  readonly districtId: number;
  /** The customer's warehouse: the home one for 85%, a remote one for 15% when W > 1. */
  readonly customerWarehouseId: number;
  readonly customerDistrictId: number;
  readonly customer: CustomerSelector;
  /** H_AMOUNT in cents: [1.00, 5,000.00]. */
  readonly amountCents: number;
  /** H_DATE, in ms since the epoch. */
  readonly dateMs: number;
}

export interface OrderStatusInput {
  readonly warehouseId: number;
  readonly districtId: number;
  readonly customer: CustomerSelector;
}

export interface DeliveryInput {
  readonly warehouseId: number;
  readonly carrierId: number;
  /** OL_DELIVERY_D, in ms since the epoch. */
  readonly deliveryDateMs: number;
}

export interface StockLevelInput {
  readonly warehouseId: number;
  readonly districtId: number;
  /** [10, 20]. */
  readonly threshold: number;
}

export type TpccInput =
  | { readonly type: 'newOrder'; readonly input: NewOrderInput }
  | { readonly type: 'payment'; readonly input: PaymentInput }
  | { readonly type: 'orderStatus'; readonly input: OrderStatusInput }
  | { readonly type: 'delivery'; readonly input: DeliveryInput }
  | { readonly type: 'stockLevel'; readonly input: StockLevelInput };

export interface TpccInputOptions {
  readonly warehouses: number;
  readonly scale: TpccScale;
  readonly constants: TpccConstants;
  readonly random: Random;
  /** Source of the dates the transactions write. */
  readonly clock: Clock;
}

export class TpccInputGenerator {
  private readonly warehouses: number;
  private readonly scale: TpccScale;
  private readonly constants: TpccConstants;
  private readonly random: Random;
  private readonly clock: Clock;

  constructor(options: TpccInputOptions) {
    assert(Number.isSafeInteger(options.warehouses) && options.warehouses >= 1, 'warehouses is a positive integer');
    this.warehouses = options.warehouses;
    this.scale = options.scale;
    this.constants = options.constants;
    this.random = options.random;
    this.clock = options.clock;
  }

  /** The next transaction of the mix with its input. */
  next(): TpccInput {
    const type = this.nextType();
    switch (type) {
      case 'newOrder':
        return { type, input: this.newOrder() };
      case 'payment':
        return { type, input: this.payment() };
      case 'orderStatus':
        return { type, input: this.orderStatus() };
      case 'delivery':
        return { type, input: this.delivery() };
      case 'stockLevel':
        return { type, input: this.stockLevel() };
      default:
        return unreachable(type, 'transaction type');
    }
  }

  nextType(): TpccTransactionType {
    let x = this.random.int(1, 100);
    for (const type of tpccTransactionTypes) {
      x -= tpccMixPercent[type];
      if (x <= 0) return type;
    }
    assert(false, 'the mix adds up to 100%');
  }

  newOrder(): NewOrderInput {
    const warehouseId = this.homeWarehouse();
    const districtId = this.district();
    const customerId = this.customerId();
    const count = this.random.int(orderLinesMin, orderLinesMax);
    const rollback = this.random.int(1, 100) === 1;
    const lines: NewOrderLine[] = [];
    for (let n = 1; n <= count; n++) {
      const itemId = rollback && n === count ? unusedItemId(this.scale) : nuRand(this.random, nuRandItemIdA, this.constants.itemId, 1, this.scale.items);
      // 99% of lines are supplied by the home warehouse, 1% by a remote one (when there is one).
      const remote = this.random.int(1, 100) === 1 && this.warehouses > 1;
      const supplyWarehouseId = remote ? this.otherWarehouse(warehouseId) : warehouseId;
      lines.push({ itemId, supplyWarehouseId, quantity: this.random.int(1, 10) });
    }
    return { warehouseId, districtId, customerId, lines, rollback, entryDateMs: this.clock.now() };
  }

  payment(): PaymentInput {
    const warehouseId = this.homeWarehouse();
    const districtId = this.district();
    const local = this.random.int(1, 100) <= 85 || this.warehouses === 1;
    const customerDistrictId = local ? districtId : this.district();
    const customerWarehouseId = local ? warehouseId : this.otherWarehouse(warehouseId);
    const customer = this.customer();
    const amountCents = this.random.int(100, 500_000);
    return { warehouseId, districtId, customerWarehouseId, customerDistrictId, customer, amountCents, dateMs: this.clock.now() };
  }

  orderStatus(): OrderStatusInput {
    const warehouseId = this.homeWarehouse();
    return { warehouseId, districtId: this.district(), customer: this.customer() };
  }

  delivery(): DeliveryInput {
    const warehouseId = this.homeWarehouse();
    return { warehouseId, carrierId: this.random.int(1, 10), deliveryDateMs: this.clock.now() };
  }

  stockLevel(): StockLevelInput {
    const warehouseId = this.homeWarehouse();
    return { warehouseId, districtId: this.district(), threshold: this.random.int(10, 20) };
  }

  private homeWarehouse(): number {
    return this.random.int(1, this.warehouses);
  }

  private district(): number {
    return this.random.int(1, this.scale.districtsPerWarehouse);
  }

  private customerId(): number {
    return nuRand(this.random, nuRandCustomerIdA, this.constants.customerId, 1, this.scale.customersPerDistrict);
  }

  /** 60% by last name (NURand(255, 0, 999) with the run constant), 40% by id. */
  private customer(): CustomerSelector {
    if (this.random.int(1, 100) <= 60) {
      return { byLastName: true, lastName: lastName(nuRand(this.random, nuRandLastNameA, this.constants.lastNameRun, 0, lastNameMax(this.scale))) };
    }
    return { byLastName: false, customerId: this.customerId() };
  }

  /** A warehouse other than `home`, uniformly (requires W > 1). */
  private otherWarehouse(home: number): number {
    assert(this.warehouses > 1, 'a remote warehouse exists');
    const other = this.random.int(1, this.warehouses - 1);
    return other >= home ? other + 1 : other;
  }
}
