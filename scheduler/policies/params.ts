/**
 * Validation of policy parameters: every policy declares its parameters
 * (kind, bounds, default) once; unknown names and every bad value are
 * reported together in one `PolicyError`.
 */
import { left, right, type Either } from 'fp-ts/lib/Either.js';
import { PolicyError } from '../errors.js';

export type ParamSpec =
  | { readonly kind: 'number'; readonly min: number; readonly max: number; readonly default: number; readonly integer?: boolean }
  | { readonly kind: 'enum'; readonly values: readonly string[]; readonly default: string }
  | { readonly kind: 'boolean'; readonly default: boolean }
  | { readonly kind: 'ascending-numbers'; readonly min: number; readonly max: number; readonly lengthMax: number; readonly default: readonly number[] };

export type ParamValues<S extends Record<string, ParamSpec>> = {
  readonly [K in keyof S]: S[K] extends { kind: 'number' } ? number : S[K] extends { kind: 'enum' } ? string : S[K] extends { kind: 'boolean' } ? boolean : readonly number[];
};

/** Resolves `params` (the policy spec without `name`) against `schema`. */
export function readParams<S extends Record<string, ParamSpec>>(policy: string, params: Readonly<Record<string, unknown>>, schema: S): Either<PolicyError, ParamValues<S>> {
  const problems: string[] = [];
  const out: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  for (const key of Object.keys(params)) {
    if (key === 'name') continue;
    if (!Object.prototype.hasOwnProperty.call(schema, key)) {
      const known = Object.keys(schema);
      problems.push(`unknown parameter ${JSON.stringify(key)} (known: ${known.length === 0 ? 'none' : known.join(', ')})`);
    }
  }
  for (const [key, spec] of Object.entries(schema)) {
    const given = Object.prototype.hasOwnProperty.call(params, key) ? params[key] : undefined;
    if (given === undefined) {
      out[key] = spec.default;
      continue;
    }
    switch (spec.kind) {
      case 'number':
        if (typeof given !== 'number' || !Number.isFinite(given) || given < spec.min || given > spec.max || (spec.integer === true && !Number.isInteger(given))) {
          problems.push(`${key} must be ${spec.integer === true ? 'an integer' : 'a number'} in ${spec.min}..${spec.max}, got ${JSON.stringify(given)}`);
        } else out[key] = given;
        break;
      case 'enum':
        if (typeof given !== 'string' || !spec.values.includes(given)) problems.push(`${key} must be one of ${spec.values.join(', ')}, got ${JSON.stringify(given)}`);
        else out[key] = given;
        break;
      case 'boolean':
        if (typeof given !== 'boolean') problems.push(`${key} must be true or false, got ${JSON.stringify(given)}`);
        else out[key] = given;
        break;
      case 'ascending-numbers': {
        const list = typeof given === 'number' ? [given] : given;
        const ok =
          Array.isArray(list) &&
          list.length >= 1 &&
          list.length <= spec.lengthMax &&
          list.every((x, i) => typeof x === 'number' && Number.isFinite(x) && x >= spec.min && x <= spec.max && (i === 0 || x > (list[i - 1] as number)));
        if (!ok) problems.push(`${key} must be 1..${spec.lengthMax} strictly ascending numbers in ${spec.min}..${spec.max}, got ${JSON.stringify(given)}`);
        else out[key] = Object.freeze((list as number[]).slice());
        break;
      }
      default:
        throw new Error(`unknown parameter kind ${JSON.stringify(spec)}`);
    }
  }
  if (problems.length > 0) return left(new PolicyError(policy, problems.join('; ')));
  return right(Object.freeze(out) as ParamValues<S>);
}

/** The `placement` parameter every policy takes. */
export function placementParam(defaultStrategy: 'packed' | 'first-free'): { readonly kind: 'enum'; readonly values: readonly string[]; readonly default: string } {
  return { kind: 'enum', values: ['packed', 'first-free'], default: defaultStrategy };
}
