// Seeded fault injection, in the spirit of the MIT 6.5840 lab's crash.go: a fraction of task attempts crash
// (throw, or kill their worker thread) or stall part-way through. The decision is a pure function of
// (seed, job, task, attempt), so a test run is reproducible and a retried attempt gets a fresh draw.
import { hashBytes } from './bytes.ts';

export interface FaultPlan {
  /** throw: the map/reduce function throws; exit: the worker thread dies; stall: the task hangs for stallMs. */
  readonly kind: 'throw' | 'exit' | 'stall';
  /** Fires after this many input records (or at the end of the task's input if it has fewer). */
  readonly afterRecords: number;
  readonly stallMs: number;
}

export interface FaultPolicy {
  /** Fraction of attempts that crash, 0..1. */
  readonly crashRate: number;
  /** Fraction of attempts that stall, 0..1. */
  readonly stallRate: number;
  readonly stallMs: number;
  /** Which task types the policy applies to. */
  readonly phases: 'map' | 'reduce' | 'both';
}

export const NO_FAULTS: FaultPolicy = { crashRate: 0, stallRate: 0, stallMs: 0, phases: 'both' };

/** A uniform draw in [0, 1) from a label. */
export function seededUniform(seed: number, label: string): number {
  const bytes = Buffer.from(`${seed}:${label}`);
  // FNV-1a, then murmur3's finaliser: FNV alone barely moves the high bits when only the last byte changes.
  let h = hashBytes(bytes, 0, bytes.length);
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) / 4294967296;
}

/**
 * The fault, if any, for one attempt.
 * @example decideFault({ crashRate: 0.3, stallRate: 0, stallMs: 0, phases: 'both' }, 42, 1, 'm-00002', 1, 'map')
 */
export function decideFault(policy: FaultPolicy, seed: number, job: number, task: string, attempt: number, phase: 'map' | 'reduce'): FaultPlan | null {
  if (policy.phases !== 'both' && policy.phases !== phase) return null;
  const label = `${job}/${task}/${attempt}`;
  const u = seededUniform(seed, `fault:${label}`);
  const afterRecords = Math.floor(seededUniform(seed, `at:${label}`) * 2000);
  if (u < policy.crashRate) {
    return { kind: seededUniform(seed, `how:${label}`) < 0.5 ? 'throw' : 'exit', afterRecords, stallMs: 0 };
  }
  if (u < policy.crashRate + policy.stallRate) return { kind: 'stall', afterRecords, stallMs: policy.stallMs };
  return null;
}

/** Carries out a fault inside a worker. WARNING: `stall` blocks the thread on purpose; the JobTracker kills it. */
export function injectFault(fault: FaultPlan, where: string): void {
  switch (fault.kind) {
    case 'throw':
      throw new Error(`injected crash in ${where}`);
    case 'exit':
      process.exit(70);
    case 'stall':
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, fault.stallMs);
      return;
    default: {
      const never: never = fault.kind;
      throw new Error(`unknown fault ${String(never)}`);
    }
  }
}
