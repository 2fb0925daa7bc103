import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const child = join(import.meta.dirname, 'fixtures', 'exit-cleanup-child.mts');
const dirs: string[] = [];

afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** Runs the fixture; resolves with how it ended. Every run has a deadline. */
function runChild(how: 'exit' | 'throw' | 'signal', dir: string) {
  return new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
    const proc = spawn(process.execPath, ['--import', 'tsx', child, how, dir], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`child (${how}) did not end within 20 s`));
    }, 20_000);
    proc.stdout.on('data', (data: Buffer) => {
      if (how === 'signal' && data.toString().includes('ready')) proc.kill('SIGTERM');
    });
    proc.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal });
    });
  });
}

describe('registerExitCleanup', () => {
  it.each([
    ['exit', { code: 3, signal: null }],
    ['throw', { code: 1, signal: null }],
    ['signal', { code: null, signal: 'SIGTERM' }],
  ] as const)(
    'runs registered cleanups, newest first, when the process ends by %s',
    async (how, ending) => {
      const dir = mkdtempSync(join(tmpdir(), 'edge-db-cleanup-'));
      dirs.push(dir);
      expect(await runChild(how, dir)).toEqual(ending);
      expect(readFileSync(join(dir, 'order'), 'utf8')).toBe('second,first');
      expect(existsSync(join(dir, 'unregistered'))).toBe(false);
    },
    30_000,
  );
});
