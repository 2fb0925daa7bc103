import { execFile, execFileSync } from 'node:child_process';
import { chown } from 'node:fs/promises';
import { EdgeDbError } from '../../errors/edge-db-error.js';

/** The account the PostgreSQL programs run as when this process is root. */
const SERVICE_USER = 'postgres';

/**
 * Runs PostgreSQL's programs with a deadline, as the `postgres` account when this process is root
 * (PostgreSQL refuses to run as root). Internal to the PostgreSQL test bed.
 *
 * Switching accounts uses the `uid`/`gid` options of `child_process` (what `runuser -u postgres --` does,
 * without a wrapper process in between, so a deadline kills the program itself).
 */
export class PostgresCommandRunner {
  readonly #account: { readonly uid: number; readonly gid: number } | undefined;
  readonly #env: NodeJS.ProcessEnv;

  private constructor(account: { uid: number; gid: number } | undefined, home: string) {
    this.#account = account;
    // A predictable environment: C messages, no PG* variables of the caller leaking into initdb or libpq.
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      LC_ALL: 'C',
      LANG: 'C',
      HOME: home,
    };
    if (account !== undefined) Object.assign(env, { USER: SERVICE_USER, LOGNAME: SERVICE_USER });
    this.#env = env;
  }

  /** Resolves the account to use; `home` is a folder the programs may use as `HOME`. */
  static async create(home: string): Promise<PostgresCommandRunner> {
    if (process.getuid?.() !== 0) return new PostgresCommandRunner(undefined, home);
    try {
      const uid = Number(await capture('id', ['-u', SERVICE_USER]));
      const gid = Number(await capture('id', ['-g', SERVICE_USER]));
      if (!Number.isInteger(uid) || !Number.isInteger(gid)) throw new Error(`unexpected output of id`);
      return new PostgresCommandRunner({ uid, gid }, home);
    } catch (error) {
      throw new EdgeDbError(
        'TESTING_SETUP_FAILED',
        `This process runs as root, which PostgreSQL refuses, and there is no \`${SERVICE_USER}\` account to run it as. ` +
          'Install the server with `apt-get install -y postgresql` (it creates the account), ' +
          `create one with \`useradd --system ${SERVICE_USER}\`, or run the tests as a regular user.`,
        { cause: error },
      );
    }
  }

  /** Gives the service account ownership of a folder this process created. */
  async own(path: string): Promise<void> {
    if (this.#account !== undefined) await chown(path, this.#account.uid, this.#account.gid);
  }

  /** Runs a program and resolves with its output; rejects with the output when it fails or overruns. */
  run(file: string, args: readonly string[], timeoutMs: number): Promise<string> {
    return new Promise((resolve, reject) => {
      execFile(
        file,
        args,
        { ...this.#options(timeoutMs), maxBuffer: 16 * 1024 * 1024 },
        (error, stdout, stderr) => {
          if (error === null) {
            resolve(`${stdout}${stderr}`);
            return;
          }
          const killed = (error as { killed?: boolean }).killed === true;
          const why = killed
            ? `did not finish within ${timeoutMs} ms`
            : `failed (${error.message.split('\n')[0]})`;
          reject(new CommandError(`${file} ${args.join(' ')} ${why}`, `${stdout}${stderr}`.trim(), error));
        },
      );
    });
  }

  /** Synchronous variant for exit-time cleanup, where nothing asynchronous runs any more. */
  runSync(file: string, args: readonly string[], timeoutMs: number): void {
    execFileSync(file, args, { ...this.#options(timeoutMs), stdio: 'ignore' });
  }

  #options(timeoutMs: number) {
    return {
      env: this.#env,
      timeout: timeoutMs,
      killSignal: 'SIGKILL' as const,
      ...(this.#account !== undefined ? { uid: this.#account.uid, gid: this.#account.gid } : {}),
    };
  }
}

/** A failed program run, with what it printed. */
export class CommandError extends Error {
  readonly output: string;
  constructor(message: string, output: string, cause: unknown) {
    super(output === '' ? message : `${message}:\n${output}`, { cause });
    this.name = 'CommandError';
    this.output = output;
  }
}

function capture(file: string, args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { timeout: 5_000 }, (error, stdout) =>
      error === null ? resolve(stdout.trim()) : reject(error),
    );
  });
}
