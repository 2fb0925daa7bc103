import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/bundle-entry.js';

/** Runs `npm run demo`'s command as a user would and returns its exit code and output. */
function runDemo(args: readonly string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [join(REPO_ROOT, 'node_modules/tsx/dist/cli.mjs'), 'demo/index.ts', ...args],
      {
        cwd: REPO_ROOT,
        env: { ...process.env, FORCE_COLOR: '0' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    // The demo has its own 50 s deadline; this one only guards against a wedged child.
    const timer = setTimeout(() => child.kill('SIGKILL'), 58_000);
    child.once('error', reject);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

// `npm run demo` is README's first command: it must keep working and keep telling the story it tells.
describe('npm run demo', () => {
  for (const args of [[], ['--postgres']] as const) {
    it(`finishes by itself and prints the session (${args.join(' ') || 'libSQL'})`, async () => {
      const { code, output } = await runDemo(args);
      expect(code, output).toBe(0);
      expect(output).toMatch(/replica-0\s+(nearest|checked|caught-up)/); // the near replica serves reads
      expect(output).toMatch(/cache\s+cache\s.*cache=hit/); // the second identical read is a cache hit
      expect(output).toMatch(/primary\s+write/); // the write went to the primary
      expect(output).toMatch(/found "Hello from the edge"/); // read-your-writes with the cookie token
      // The outage is survived: by the primary, which is nearer than the other replica (45 vs 80 ms each way).
      expect(output).toMatch(/Read during the outage {2}HTTP 200[^\n]*\n\s+primary\s+fallback/);
      expect(output).toContain('done in');
    });
  }
});
