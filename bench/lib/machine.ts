import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';

export interface Machine {
  cpu: string;
  cores: number;
  node: string;
  memoryGb: number;
  /** 1, 5 and 15 minute load averages when the run started. */
  loadAverage: [number, number, number];
  platform: string;
}

export function describeMachine(): Machine {
  const [one = 0, five = 0, fifteen = 0] = loadavg();
  return {
    cpu: cpus()[0]?.model.trim() ?? 'unknown',
    cores: availableParallelism(),
    node: process.version,
    memoryGb: Math.round(totalmem() / 2 ** 30),
    loadAverage: [one, five, fifteen].map((x) => Math.round(x * 100) / 100) as [number, number, number],
    platform: `${process.platform} ${process.arch}`,
  };
}

export function machineLine(m: Machine): string {
  return `${m.cpu}, ${m.cores} cores, ${m.memoryGb} GB, Node ${m.node}, ${m.platform}; load average at start ${m.loadAverage.join(' / ')}`;
}
