import { EdgeDbError } from '../../errors/edge-db-error.js';
import { type DockerAvailability, detectDocker } from './docker-availability.js';
import type { TestProvider } from './test-provider.js';

/** The provider a start function uses, and why. */
export interface ProviderSelection {
  readonly provider: 'process' | 'containers';
  /** Why: `requested`, or what `auto` detection found. */
  readonly reason: string;
}

/** Options of {@link selectProvider}. */
export interface SelectProviderOptions {
  /**
   * Deadline of `auto`'s Docker detection, in milliseconds.
   * @default 3000
   */
  readonly detectTimeoutMs?: number;
  /** Replaces the Docker detection (tests inject a fake). @default detectDocker */
  readonly detect?: (timeoutMs: number) => Promise<DockerAvailability>;
}

/**
 * Resolves `auto` to `containers` when a Docker engine answers within the deadline, else `process`;
 * `process` and `containers` are taken as asked (a missing engine then fails when containers start).
 * Throws `EdgeDbError` `CONFIG_INVALID` for an unknown provider.
 *
 * ### Examples
 * ```ts
 * const { provider, reason } = await selectProvider('auto')
 * console.log(`edge-db test clusters: ${provider} (${reason})`)
 * ```
 */
export async function selectProvider(
  provider: TestProvider,
  options: SelectProviderOptions = {},
): Promise<ProviderSelection> {
  if (provider === 'process' || provider === 'containers') return { provider, reason: 'requested' };
  if (provider !== 'auto') {
    throw new EdgeDbError(
      'CONFIG_INVALID',
      `provider must be 'process', 'containers' or 'auto', got ${JSON.stringify(provider)}.`,
    );
  }
  const timeoutMs = options.detectTimeoutMs ?? 3_000;
  const detect = options.detect ?? ((ms: number) => detectDocker({ timeoutMs: ms }));
  const docker = await detect(timeoutMs);
  return docker.available
    ? { provider: 'containers', reason: `auto: Docker engine ${docker.engine} answered` }
    : { provider: 'process', reason: `auto: ${docker.reason}` };
}
