import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/bundle-entry.js';
import { freePort, startCommand } from './start-command.js';

const EXAMPLES = ['node', 'vercel', 'deno', 'worker'] as const;

// `npm run example -- <name>` is the one command examples/README.md gives for each example in this repository:
// it starts a local libSQL cluster and the example's own tool. A user's first requests must work: the table is
// made on the primary, a write returns a token, the next read with it sees the write.
describe('npm run example -- <name>', () => {
  for (const example of EXAMPLES) {
    it(`${example}: serves the guestbook on a local cluster`, async () => {
      // Deno and Node bind port 0 themselves and print the port they got: a port picked here first could be
      // taken by the local cluster the command starts before the example binds it (seen: AddrInUse).
      const port = example === 'deno' || example === 'node' ? 0 : await freePort();
      const command = await startCommand('npm', ['run', '--silent', 'example', '--', example], {
        cwd: REPO_ROOT,
        env: { PORT: String(port) },
        ready: example === 'worker' ? /Ready on (http:\/\/[^\s]+)/ : /listening on (http:\/\/[^\s]+)/,
        timeoutMs: 90_000,
      });
      try {
        const base = command.url.replace(/\/$/, '');
        const send = async (path: string, init: RequestInit = {}) => {
          const response = await fetch(`${base}${path}`, { ...init, signal: AbortSignal.timeout(20_000) });
          const body = (await response.json()) as {
            data: any;
            token: string | null;
            trace: { node: string }[];
          };
          expect(response.status, `${path}: ${JSON.stringify(body)}\n${command.output()}`).toBe(200);
          return body;
        };
        const setup = await send('/setup', { method: 'POST' });
        expect(setup.trace.map((entry) => entry.node)).toContain('primary');
        const written = await send('/entries', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ name: 'ada', message: `hello from ${example}` }),
        });
        expect(written.token).toBeTruthy();
        const read = await send(`/entries/${written.data.id}`, {
          headers: { cookie: `edge_db_token=${written.token}` },
        });
        expect(read.data).toMatchObject({ name: 'ada', message: `hello from ${example}` });
      } finally {
        await command.stop();
      }
    });
  }
});
