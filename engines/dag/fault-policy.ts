// Fault injection, injected like the clock and the seed: a policy decides, deterministically, which task
// attempts fail and which stage outputs are lost, so tests can reproduce Spark's own recovery scenarios.

/** One task attempt about to be launched. */
export interface TaskAttemptInfo {
  readonly jobId: number;
  readonly stageId: number;
  readonly partition: number;
  /** 1 for the first attempt. */
  readonly attempt: number;
}

export interface FaultPolicy {
  /** 'fail' makes the attempt throw inside its worker thread (as a crashing task would). */
  taskAttempt?(task: TaskAttemptInfo): 'ok' | 'fail';
  /**
   * Called once when a stage's output is complete, after its consumers were submitted: the output partitions
   * (map partitions for a shuffle) returned are dropped, as if the executor holding them died.
   */
  lostOutputs?(stage: { readonly jobId: number; readonly stageId: number; readonly attempt: number }): readonly number[];
}

/** No faults (the default). */
export const NO_FAULTS: FaultPolicy = {};

/**
 * A seeded policy failing each attempt with probability `rate` (for soak tests; same seed ⇒ same failures).
 * @example createDagEngine(ctx, { faultPolicy: randomTaskFailures(0.1, 42) })
 */
export function randomTaskFailures(rate: number, seed: number): FaultPolicy {
  return {
    taskAttempt: (t) => {
      let h = (seed ^ Math.imul(t.jobId + 1, 0x9e3779b1) ^ Math.imul(t.stageId + 1, 0x85ebca6b) ^ Math.imul(t.partition + 1, 0xc2b2ae35) ^ Math.imul(t.attempt, 0x27d4eb2f)) | 0;
      h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d);
      h ^= h >>> 12;
      return (h >>> 0) / 4294967296 < rate ? 'fail' : 'ok';
    },
  };
}
