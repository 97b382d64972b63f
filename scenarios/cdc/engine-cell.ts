// Creating engines for a CDC cell: the EngineContext a custom scenario builds itself, and which engines can run
// which pattern (every plan of the pattern must be supported).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import os from 'node:os';
import { unsupportedReason, type Engine, type EngineDescriptor } from '../../engines/engine.ts';
import type { Entity } from './change.ts';
import type { CdcPattern } from './pattern.ts';

/** Why `engine` cannot run every plan of `pattern`, or null. */
export function patternUnsupported(engine: EngineDescriptor, pattern: CdcPattern, entity: Entity): string | null {
  const plans = [pattern.mergePlan(entity), pattern.seedPlan(entity, 0n, 0), pattern.truncatePlan(entity, 0n, 0), pattern.currentView(entity)];
  for (const plan of plans) {
    if (!plan) continue;
    const reason = unsupportedReason(engine, plan);
    if (reason) return reason;
  }
  return null;
}

export interface CellEnv {
  readonly workDir: string;
  readonly seed: number;
  readonly now: () => number;
  readonly options: Readonly<Record<string, string | number | boolean>>;
}

/** A fresh engine instance with its own scratch folder under the cell's work dir. */
export async function createEngine(engine: EngineDescriptor, env: CellEnv, label: string): Promise<Engine> {
  const workDir = join(env.workDir, label);
  mkdirSync(workDir, { recursive: true });
  return engine.create({
    workDir,
    seed: env.seed,
    now: env.now,
    emit: () => {},
    options: env.options,
    memoryBudgetBytes: Math.floor(os.totalmem() / 2),
  });
}
