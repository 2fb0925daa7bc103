import { EdgeDbError } from '../../errors/edge-db-error.js';

/** An integer option within `[min, max]`, else `CONFIG_INVALID`. Internal to the containers provider. */
export function checkIntegerOption(name: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new EdgeDbError(
      'CONFIG_INVALID',
      `${name} must be an integer from ${min} to ${max}, got ${String(value)}.`,
    );
  }
  return value;
}

/** A finite number of milliseconds >= 0, else `CONFIG_INVALID`. Internal to the containers provider. */
export function checkLatencyOption(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new EdgeDbError('CONFIG_INVALID', `${name} must be a finite number >= 0, got ${String(value)}.`);
  }
  return value;
}
