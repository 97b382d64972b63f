// A real EngineContext for tests: a fresh temp work dir, a fixed seed, the monotonic clock, collected events.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EngineContext, EngineEvent } from '../../engines/engine.ts';

export interface TestContext extends EngineContext {
  readonly events: EngineEvent[];
  /** Delete the work dir. */
  cleanup(): void;
}

export function testContext(options: EngineContext['options'] = {}, seed = 7): TestContext {
  const workDir = mkdtempSync(join(tmpdir(), 'enginebench-test-'));
  const events: EngineEvent[] = [];
  return {
    workDir,
    seed,
    now: () => performance.now(),
    emit: (e) => events.push(e),
    options,
    memoryBudgetBytes: 8 * 1024 ** 3,
    events,
    cleanup: () => rmSync(workDir, { recursive: true, force: true }),
  };
}
