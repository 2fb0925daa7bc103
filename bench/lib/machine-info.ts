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
    notes,
  };
}
