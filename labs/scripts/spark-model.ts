// Lab 03 companion: the Spark model (engines/dag) seen from a PySpark-style program. It builds lazy DataFrames over
// the retail dataset, prints their plans, runs actions and counts the tasks and stages each action launched.
//   npx tsx labs/scripts/spark-model.ts [--rows 100000] [--join auto|broadcast-right|broadcast-left|shuffled]
//                                       [--lose-shuffle-output] [--cache]
import { findDataset } from '../../datasets/registry.ts';
import { Session } from '../../engines/dag/session.ts';
import type { EngineEvent } from '../../engines/engine.ts';
import { avg, col, count, desc } from '../../plan/index.ts';

const JOIN_STRATEGIES = ['auto', 'broadcast-right', 'broadcast-left', 'shuffled'] as const;
const USAGE = 'usage: npx tsx labs/scripts/spark-model.ts [--rows N] [--join auto|broadcast-right|broadcast-left|shuffled] [--lose-shuffle-output] [--cache]';

export interface LabArgs {
  help: boolean;
  rows: number;
  join: (typeof JOIN_STRATEGIES)[number];
  loseShuffleOutput: boolean;
  cache: boolean;
}

/** The script's flags; throws a one-line Error on bad input. Exported so test/labs can check the labs' commands. */
export function parseLabArgs(argv: readonly string[]): LabArgs {
  const out: LabArgs = { help: false, rows: 100_000, join: 'auto', loseShuffleOutput: false, cache: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--lose-shuffle-output') out.loseShuffleOutput = true;
    else if (a === '--cache') out.cache = true;
    else if (a === '--rows' || a === '--join') {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value; ${USAGE}`);
      if (a === '--rows') {
        const n = Number(v);
        if (!Number.isInteger(n) || n < 1) throw new Error(`--rows must be a whole number ≥ 1, e.g. 1e5, got '${v}'`);
        out.rows = n;
      } else {
        if (!(JOIN_STRATEGIES as readonly string[]).includes(v)) throw new Error(`--join must be one of ${JOIN_STRATEGIES.join(', ')}, got '${v}'`);
        out.join = v as LabArgs['join'];
      }
    } else if (a === '--help' || a === '-h') out.help = true;
    else throw new Error(`unknown argument '${a}'; ${USAGE}`);
  }
  return out;
}

/** Tasks launched and log lines seen since the last call: what one action cost. */
class ActionLog {
  private events: EngineEvent[] = [];
  readonly listener = (e: EngineEvent): void => {
    this.events.push(e);
  };
  take(): { tasks: number; stages: Set<string>; logs: string[]; shuffleBytes: number } {
    const ev = this.events;
    this.events = [];
    const starts = ev.filter((e) => e.type === 'task-start');
    return {
      tasks: starts.length,
      stages: new Set(starts.map((e) => (e as { group: string }).group)),
      logs: ev.filter((e) => e.type === 'log').map((e) => (e as { message: string }).message),
      shuffleBytes: ev.reduce((n, e) => n + (e.type === 'shuffle' ? e.bytes : 0), 0),
    };
  }
}

function report(what: string, log: ActionLog, ms: number): void {
  const a = log.take();
  console.log(`${what}: ${ms.toFixed(1)} ms, ${a.tasks} tasks in ${a.stages.size} stages [${[...a.stages].join(', ')}], ${a.shuffleBytes} shuffle bytes`);
  for (const l of a.logs) console.log(`  log: ${l}`);
}

async function main(): Promise<void> {
  const args = parseLabArgs(process.argv.slice(2));
  if (args.help) {
    console.log(USAGE);
    return;
  }
  const tables = findDataset('retail').generate(args.rows, 42, {});
  const log = new ActionLog();
  const spark = await Session.builder().appName('lab03').config('dag.workers', 2).config('dag.joinStrategy', args.join).onEvent(log.listener).getOrCreate();
  try {
    const transactions = spark.fromArrow(tables.get('transactions')!);
    const products = spark.fromArrow(tables.get('products')!);

    // Transformations only: nothing runs yet, they only grow the plan.
    let t0 = performance.now();
    const amounts = transactions
      .dropna(['customer_id'])
      .filter(col('quantity').gt(0))
      .withColumn('amount', col('quantity').multiply(col('price')));
    const perCategory = amounts
      .join(products, 'stock_code', 'left')
      .groupBy('category')
      .agg(count().alias('lines'), avg('amount').alias('avg_amount'))
      .orderBy(desc('avg_amount'));
    report('1. transformations (lazy)', log, performance.now() - t0);

    // cache() is a mark, not an action: the physical plan gains a cache stage, filled by the next action.
    if (args.cache) amounts.cache();
    console.log('\n2. explain() — logical, optimized and physical plans:\n');
    console.log(await perCategory.explain());
    log.take();

    if (args.loseShuffleOutput) {
      // Drop output 0 of stage 0 once (shuffle map output or cached partition), as if its executor died.
      let lost = false;
      spark.engine.faultPolicy = {
        lostOutputs: (s) => {
          if (lost || s.stageId !== 0) return [];
          lost = true;
          return [0];
        },
      };
    }

    console.log('');
    t0 = performance.now();
    await perCategory.show(10);
    report('3. action show() on the join + group-by', log, performance.now() - t0);

    t0 = performance.now();
    const n = await amounts.count();
    report(`4. action count() on the cleaned lines (${n} rows)`, log, performance.now() - t0);
    const m = spark.engine.metrics();
    console.log(`\nengine counters after the last action: ${JSON.stringify(m.counters)}`);
  } finally {
    await spark.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((err: unknown) => {
    console.error(`spark-model: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
    process.exit(1);
  });
}
