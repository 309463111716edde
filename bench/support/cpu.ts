import { spawnSync } from 'node:child_process';
import os from 'node:os';

/**
 * Pins every thread of process `pid` (its JavaScript thread, GC helpers and libuv pool) to one
 * CPU with util-linux's `taskset`, so a figure said to be "on one core" is measured on one core.
 * Returns the CPU, or null when it cannot pin (no taskset, a single CPU): the bench then
 * reports its CPU time instead.
 */
export function pinToCpu(pid: number, cpu: number): number | null {
  if (os.cpus().length < 2 || cpu >= os.cpus().length) return null;
  const r = spawnSync('taskset', ['-a', '-c', '-p', String(cpu), String(pid)], { stdio: 'ignore' });
  return r.status === 0 ? cpu : null;
}

/** The last CPU: where a helper process (a sink, an emulator) goes when the bench has CPU 0. */
export const lastCpu = (): number => os.cpus().length - 1;
