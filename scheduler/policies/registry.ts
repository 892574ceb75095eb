/**
 * The policy registry: a name → factory table. Adding a policy is one file
 * and one line here. A factory validates the policy's parameters and returns
 * the policy or a `PolicyError`.
 */
import { left, type Either } from 'fp-ts/lib/Either.js';
import { PolicyError } from '../errors.js';
import { createDeadlineFair } from './deadline-fair.js';
import { createDrf } from './drf.js';
import { createEdf } from './edf.js';
import { createFifo } from './fifo.js';
import { createLas } from './las.js';
import { createLeastSlack } from './least-slack.js';
import type { Policy } from './policy.js';
import { createPriority } from './priority.js';
import { createThemis } from './themis.js';

export type PolicyFactory = (params: Readonly<Record<string, unknown>>) => Either<PolicyError, Policy>;

const factories = {
  fifo: createFifo,
  priority: createPriority,
  drf: createDrf,
  las: createLas,
  themis: createThemis,
  edf: createEdf,
  'least-slack': createLeastSlack,
  'deadline-fair': createDeadlineFair,
} satisfies Record<string, PolicyFactory>;

export type PolicyName = keyof typeof factories;

/** Every registered policy name, in registration order. */
export const policyNames: readonly PolicyName[] = Object.freeze(Object.keys(factories) as PolicyName[]);

/** A policy and its parameters: `{ name: 'themis', f: 0.9 }`. */
export interface PolicySpec {
  readonly name: PolicyName | string;
  readonly [param: string]: unknown;
}

export function isPolicyName(name: unknown): name is PolicyName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(factories, name);
}

/** Creates a policy from its spec, validating every parameter. */
export function createPolicy(spec: PolicySpec): Either<PolicyError, Policy> {
  const name = (spec as { name?: unknown } | undefined)?.name;
  if (!isPolicyName(name)) {
    return left(new PolicyError(String(name), `unknown policy (known: ${policyNames.join(', ')})`));
  }
  return factories[name](spec);
}
