import type { TraceEntry } from '../examples/shared/guestbook.js';
import { formatLsn } from '../src/index.js';

/** How the cluster numbers positions: PostgreSQL WAL LSNs, or libSQL replication indexes (frame numbers). */
export type PositionStyle = 'lsn' | 'index';

/**
 * A route event's required position (a decimal string) as the database itself writes it: `0/50052A8` for a
 * PostgreSQL LSN (what `pg_current_wal_lsn()` prints), the plain frame number for libSQL. Text that is not a
 * decimal position is returned as it is.
 */
export function formatPosition(position: string, style: PositionStyle): string {
  if (style === 'index' || !/^\d+$/.test(position)) return position;
  try {
    return formatLsn(BigInt(position));
  } catch {
    return position; // beyond 64 bits: not an LSN, show what the event said
  }
}

const color = (code: number) => (text: string) =>
  process.stdout.isTTY ? `\x1b[${code}m${text}\x1b[0m` : text;
export const bold = color(1);
export const dim = color(2);
const green = color(32);
const yellow = color(33);
const cyan = color(36);

/**
 * Prints one scripted step: what the user did, the HTTP round trip, and every statement's route, with required
 * positions in the cluster's own notation (`positions`).
 */
export function printStep(
  index: number,
  title: string,
  reply: { status: number; ms: number; trace: readonly TraceEntry[]; token: string | null; note?: string },
  positions: PositionStyle,
): void {
  console.log(
    `\n${bold(`${index}. ${title}`)}  ${dim(`HTTP ${reply.status}, ${reply.ms.toFixed(0)} ms round trip through workerd`)}`,
  );
  for (const entry of reply.trace) {
    const node =
      entry.node === 'primary'
        ? yellow(entry.node)
        : entry.node === 'cache'
          ? green(entry.node)
          : cyan(entry.node);
    const why = entry.detail ? `${entry.reason} (${entry.detail})` : entry.reason;
    const cache = entry.cache ? ` cache=${entry.cache}` : '';
    const position = entry.requiredPosition
      ? ` needs>=${formatPosition(entry.requiredPosition, positions)}`
      : '';
    console.log(
      `   ${pad(node, 10)} ${pad(why, 34)} ${pad(`${entry.durationMs.toFixed(1)} ms`, 9)}${cache}${position}  ${dim(short(entry.sql, 70))}`,
    );
  }
  if (reply.trace.length === 0) console.log(dim('   (no statement ran)'));
  if (reply.token) console.log(`   ${dim('token')} ${reply.token}`);
  if (reply.note) console.log(`   ${dim('→')} ${reply.note}`);
}

const ANSI_CODES = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');

function pad(text: string, width: number): string {
  // Width without ANSI codes.
  const visible = text.replace(ANSI_CODES, '');
  return text + ' '.repeat(Math.max(1, width - visible.length));
}

function short(sql: string, max: number): string {
  const flat = sql.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}
