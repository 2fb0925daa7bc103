import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';

/** A documented example command running in a child process. */
export interface RunningCommand {
  /** The `http://host:port` the command said it serves on. */
  readonly url: string;
  /** Everything it printed so far (for failure messages). */
  output(): string;
  /** SIGTERM to the command, then to its process group; resolves when the command is gone. */
  stop(): Promise<void>;
}

/** Options of {@link startCommand}. */
export interface StartCommandOptions {
  readonly cwd: string;
  readonly env?: Readonly<Record<string, string>>;
  /** Matches the line that announces the server; group 1 is its URL. */
  readonly ready: RegExp;
  /** @default 60_000 */
  readonly timeoutMs?: number;
}

/**
 * Runs an example's documented command (`wrangler dev`, `deno task start`, `tsx server.ts`) as a user would,
 * in its own process group so that the tools it starts (workerd, deno) stop with it, and waits at most
 * `timeoutMs` for the line that announces its URL.
 */
export async function startCommand(
  command: string,
  args: readonly string[],
  options: StartCommandOptions,
): Promise<RunningCommand> {
  const child = spawn(command, [...args], {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  const append = (chunk: Buffer) => {
    output += chunk.toString();
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  const stop = () => stopGroup(child);
  const timeoutMs = options.timeoutMs ?? 60_000;
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${command} did not start within ${timeoutMs} ms:\n${output}`)),
        timeoutMs,
      );
      const check = () => {
        // biome-ignore lint/suspicious/noControlCharactersInRegex: strips the colours wrangler prints.
        const match = options.ready.exec(output.replace(/\u001b\[[0-9;]*m/g, ''));
        if (match?.[1] === undefined) return;
        clearTimeout(timer);
        resolve(match[1]);
      };
      child.stdout?.on('data', check);
      child.stderr?.on('data', check);
      child.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`${command} exited (${code ?? signal}) before serving:\n${output}`));
      });
    });
    return { url, output: () => output, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function stopGroup(child: ChildProcess): Promise<void> {
  const pid = child.pid;
  if (pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-pid, signal);
    } catch {
      // The group is gone already.
    }
  };
  // The leader first, so that it can stop what it started (the launcher stops its clusters); then the group.
  child.kill('SIGTERM');
  const timer = setTimeout(() => signalGroup('SIGTERM'), 10_000);
  const killer = setTimeout(() => signalGroup('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
  clearTimeout(killer);
  // Whatever outlived the leader (npm does not pass SIGTERM on to its script) ends with it, given time to clean
  // up (the launcher stops its clusters), then by force.
  signalGroup('SIGTERM');
  const deadline = Date.now() + 10_000;
  while (groupAlive(pid) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
  if (groupAlive(pid)) signalGroup('SIGKILL');
}

function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** A TCP port that was free a moment ago on 127.0.0.1 (for tools that cannot listen on port 0). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  return address.port;
}
