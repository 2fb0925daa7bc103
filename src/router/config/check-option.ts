import { EdgeDbError } from '../../errors/edge-db-error.js';

/** The longest delay timers accept everywhere (2^31 - 1 ms); longer ones fire at once in Node. */
export const MAX_TIMER_MS = 2_147_483_647;

/** A `CONFIG_INVALID` naming the option, the rule and the value given. */
export function invalidOption(name: string, rule: string, value: unknown): EdgeDbError {
  return new EdgeDbError('CONFIG_INVALID', `\`${name}\` must be ${rule}, got ${describe(value)}`);
}

/** A duration in milliseconds: finite, within timer range, positive (or non-negative with `allowZero`). */
export function milliseconds(value: unknown, fallback: number, name: string, allowZero = false): number {
  if (value === undefined) return fallback;
  if (
    typeof value !== 'number' ||
    !Number.isFinite(value) ||
    value < 0 ||
    value > MAX_TIMER_MS ||
    (!allowZero && value === 0)
  ) {
    throw invalidOption(
      name,
      `a finite ${allowZero ? 'non-negative' : 'positive'} number of milliseconds (at most ${MAX_TIMER_MS})`,
      value,
    );
  }
  return value;
}

/** A whole number at least `min`. */
export function integer(value: unknown, fallback: number, name: string, min: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw invalidOption(name, `an integer >= ${min}`, value);
  }
  return value;
}

/** A boolean. */
export function flag(value: unknown, fallback: boolean, name: string): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw invalidOption(name, 'true or false', value);
  return value;
}

/** One of `choices`. */
export function oneOf<T extends string>(value: unknown, fallback: T, name: string, choices: readonly T[]): T {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || !(choices as readonly string[]).includes(value)) {
    throw invalidOption(name, `one of ${choices.map((c) => `'${c}'`).join(', ')}`, value);
  }
  return value as T;
}

/** A plain object (or undefined). */
export function optionsObject(value: unknown, name: string): Record<string, unknown> | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalidOption(name, 'an object', value);
  }
  return value as Record<string, unknown>;
}

/** A function (or undefined). */
export function callback(value: unknown, name: string): void {
  if (value !== undefined && typeof value !== 'function') throw invalidOption(name, 'a function', value);
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'function') return 'a function';
  if (value === null || typeof value !== 'object') return String(value);
  return Array.isArray(value) ? 'an array' : 'an object';
}
