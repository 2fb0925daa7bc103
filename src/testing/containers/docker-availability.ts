import { loadTestcontainers } from './load-testcontainers.js';

/**
 * Whether a Docker (or compatible) engine answered, and why not when it did not.
 *
 * ### Examples
 * ```ts
 * const docker = await detectDocker()
 * if (!docker.available) console.log(`skipping: ${docker.reason}`)
 * ```
 */
export type DockerAvailability =
  | { readonly available: true; readonly engine: string }
  | { readonly available: false; readonly reason: string };

/** Options of {@link detectDocker}. */
export interface DetectDockerOptions {
  /**
   * How long to wait for the engine to answer, in milliseconds.
   * @default 3000
   */
  readonly timeoutMs?: number;
  /**
   * What asks the engine; by default testcontainers' own runtime detection (`DOCKER_HOST`,
   * `~/.testcontainers.properties`, the Unix socket, rootless and Podman sockets). Injected by tests.
   */
  readonly probe?: () => Promise<string>;
}

/**
 * Asks for a container engine the way testcontainers will when it starts containers, with a deadline, and
 * never throws: a missing `testcontainers` package, a missing socket or a silent engine all mean
 * "not available", with the reason.
 *
 * ### Examples
 * ```ts
 * const docker = await detectDocker({ timeoutMs: 1_000 })
 * ```
 */
export async function detectDocker(options: DetectDockerOptions = {}): Promise<DockerAvailability> {
  const timeoutMs = options.timeoutMs ?? 3_000;
  const probe = options.probe ?? probeWithTestcontainers;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    // The probe may keep running after the deadline; the timer must not keep the process alive.
    if (typeof timer === 'object' && timer !== null && 'unref' in timer) timer.unref();
  });
  try {
    const engine = await Promise.race([probe(), deadline]);
    return { available: true, engine };
  } catch (error) {
    return { available: false, reason: `no container engine answered: ${describe(error)}` };
  } finally {
    clearTimeout(timer);
  }
}

async function probeWithTestcontainers(): Promise<string> {
  const { getContainerRuntimeClient } = await loadTestcontainers();
  const client = await getContainerRuntimeClient();
  const { serverVersion, operatingSystem } = client.info.containerRuntime;
  return `${operatingSystem} ${serverVersion}`;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
