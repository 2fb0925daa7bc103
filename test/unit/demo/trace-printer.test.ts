import { afterEach, describe, expect, it, vi } from 'vitest';
import { printStep } from '../../../demo/trace-printer.js';
import { parseLsn } from '../../../src/index.js';

const entry = (requiredPosition: string) => ({
  sql: 'select * from "entry" where "id" = $1',
  node: 'replica-0',
  reason: 'checked',
  durationMs: 3.2,
  requiredPosition,
});

function printed(requiredPosition: string, positions: 'lsn' | 'index'): string {
  const lines: string[] = [];
  vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
    lines.push(args.join(' '));
  });
  printStep(
    1,
    'Read your own entry',
    { status: 200, ms: 5, trace: [entry(requiredPosition)], token: null },
    positions,
  );
  return lines.join('\n');
}

describe('printStep', () => {
  afterEach(() => vi.restoreAllMocks());

  it('prints a PostgreSQL position as an LSN, the way pg_current_wal_lsn() does', () => {
    // Route events carry positions as decimal strings; 0/50052A8 is 83907240.
    const output = printed(parseLsn('0/50052A8').toString(), 'lsn');
    expect(output).toContain('needs>=0/50052A8');
    expect(output).not.toContain('83907240');
  });

  it('prints LSNs above 32 bits with both halves', () => {
    expect(printed(parseLsn('16/B374D848').toString(), 'lsn')).toContain('needs>=16/B374D848');
  });

  it('keeps a libSQL replication index (a frame number) in decimal', () => {
    expect(printed('1234', 'index')).toContain('needs>=1234');
  });
});
