// The cell process's own peak resident memory, the "peak RSS" of every results file.
import { readFileSync } from 'node:fs';

/**
 * Peak resident set size of this process's own address space, in bytes.
 *
 * WARNING: not getrusage's ru_maxrss (`process.resourceUsage().maxRSS`). Linux carries a process's high-water mark
 * across fork and exec, so a cell spawned by a runner holding 324 MiB reported at least 324 MiB whatever it used
 * (measured: a child using 39 MiB reported 404 MiB while its parent held 443 MiB). VmHWM in /proc/self/status
 * belongs to the process's own memory map; worker threads share it, so they are counted. Elsewhere (macOS, where
 * a spawned process starts afresh) maxRSS is the measure.
 *
 * @example peakRssBytes() // 123_456_512
 */
export function peakRssBytes(): number {
  try {
    const hwm = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (hwm) return Number(hwm[1]) * 1024;
  } catch {
    // no procfs: fall through
  }
  return process.resourceUsage().maxRSS * 1024; // kilobytes, as Node documents it
}
