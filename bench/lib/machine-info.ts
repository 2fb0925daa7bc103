import { execFileSync } from 'node:child_process';
import { cpus, platform, release, totalmem } from 'node:os';
import type { MachineInfo } from './bench-result.js';

/** Describes this machine and run for the results file. */
export function machineInfo(mode: 'full' | 'quick', notes: string): MachineInfo {
  const cpuList = cpus();
  return {
    cpu: cpuList[0]?.model.trim() ?? 'unknown',
    cores: cpuList.length,
    memory_gb: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    os: `${platform()} ${release()}`,
    date: new Date().toISOString(),
    mode,
    commit: measuredCommit(),
    notes,
  };
}

/**
 * The commit whose code was measured: `EDGE_DB_BENCH_COMMIT` (for runs from an exported tree), else git's
 * `HEAD`, marked `-dirty` when `src/` has uncommitted changes; `unknown` without git.
 */
function measuredCommit(): string {
  const given = process.env.EDGE_DB_BENCH_COMMIT;
  if (given !== undefined && given !== '') return given;
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src'], { encoding: 'utf8' }).trim();
    return dirty === '' ? head : `${head}-dirty`;
  } catch {
    return 'unknown';
  }
}
