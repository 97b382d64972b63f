// Every key `--engine-option KEY=VALUE` accepts. Engines read their options leniently from a plain record, so a
// misspelt key would silently run with the defaults; the CLI checks keys against this list first.
import { UsageError } from './args.ts';

/** Known option keys and what they set (values are checked by the engine or scenario that reads them). */
export const ENGINE_OPTIONS: Readonly<Record<string, string>> = {
  'duckdb.threads': 'DuckDB worker threads',
  'duckdb.memoryLimit': "DuckDB memory_limit, e.g. '4GB'",
  'dag.workers': 'worker threads (default: cores)',
  'dag.partitions': 'partitions per loaded table (default: workers)',
  'dag.shufflePartitions': 'partitions after a shuffle (default: workers)',
  'dag.broadcastThresholdBytes': 'largest side broadcast in a join (default 10 MiB)',
  'dag.joinStrategy': 'auto, broadcast or shuffle',
  'dag.maxTaskAttempts': 'attempts per task before the job fails',
  'dag.optimizer': 'false to run the plan as written',
  'dag.udfMode': 'in-engine or isolated (UDFs in a child process)',
  'mapreduce.blockSize': 'block size of the file system, bytes',
  'mapreduce.replication': 'replicas per block',
  'mapreduce.dataNodes': 'DataNodes (folders) of the file system',
  'mapreduce.slots': 'parallel task slots',
  'mapreduce.reducers': 'reduce tasks per job',
  'mapreduce.sortBufferBytes': 'map output buffer before a spill, bytes',
  'mapreduce.combiner': 'false to turn the combiner off',
  'mapreduce.vectorized': 'false to run every map task row at a time (default: vectorized where the job allows)',
  'mapreduce.maxAttempts': 'attempts per task before the job fails',
  'mapreduce.taskTimeoutMs': 'a task attempt running longer is killed and retried',
  'mapreduce.faults.crashRate': 'fraction of task attempts that crash (fault injection)',
  'mapreduce.faults.stallRate': 'fraction of task attempts that stall (fault injection)',
  'mapreduce.faults.stallMs': 'how long a stalled attempt hangs',
  'mapreduce.faults.phases': 'map, reduce or both: where faults are injected',
  'clickhouse-url': 'a ClickHouse server instead of embedded chDB (same as --clickhouse-url)',
  'clickhouse.tableEngine': 'Memory (default) or MergeTree',
  'olap.batchSizes': 'micro-batch sizes of the olap-load scenario, comma-separated',
  'olap.compression': 'Parquet codec of the lake target',
  'olap.rowGroupRows': 'Parquet row-group size of the lake target',
  'olap.maxLoadMs': 'time cap of one load in the olap-load scenario',
  'olap.queryRuns': 'runs of the follow-up query per variant',
  'postgres.url': 'PostgreSQL server of the olap-load scenario (default: the one scripts/postgres.sh starts)',
  'cdc.crossover': 'which cdc-merge cells measure the merge-vs-reload crossover: default, all or none',
};

/**
 * Reject option keys nobody reads, naming the close ones. Keys under an extension engine's name (`name.…`) pass:
 * extensions document their own options.
 * @example checkEngineOptions({ 'dag.partitons': 8 }, []) // throws: unknown engine option 'dag.partitons'; did you mean dag.partitions?
 */
export function checkEngineOptions(options: Readonly<Record<string, unknown>>, extensionEngines: readonly string[]): void {
  for (const key of Object.keys(options)) {
    if (key in ENGINE_OPTIONS || extensionEngines.some((e) => key.startsWith(`${e}.`))) continue;
    const known = Object.keys(ENGINE_OPTIONS);
    const close = known.filter((k) => editDistance(k, key) <= 2);
    const sameEngine = known.filter((k) => k.startsWith(`${key.split('.')[0]!}.`));
    const hint =
      close.length > 0 ? `; did you mean ${close.join(' or ')}?` : `; ${sameEngine.length > 0 ? 'its engine has' : 'known options are'} ${(sameEngine.length > 0 ? sameEngine : known).join(', ')} (see --list)`;
    throw new UsageError(`unknown engine option '${key}'${hint}`);
  }
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = row[j]!;
      row[j] = Math.min(up + 1, row[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return row[b.length]!;
}

/** What can check option values: engines and custom scenarios (both throw EngineError on a bad value). */
interface OptionChecker {
  readonly name: string;
  checkOptions?(options: Readonly<Record<string, string | number | boolean>>): Promise<void> | void;
}

/**
 * Ask every engine and scenario to check the values of the options it reads, so a bad value (`dag.workers=0`,
 * `olap.batchSizes=abc`) stops the run before any cell starts, as one line naming the option.
 * @example await checkEngineOptionValues({ 'dag.workers': 0 }, ENGINES) // throws: option dag.workers must be an integer ≥ 1, got '0'
 */
export async function checkEngineOptionValues(options: Readonly<Record<string, string | number | boolean>>, owners: readonly OptionChecker[]): Promise<void> {
  if (Object.keys(options).length === 0) return;
  for (const owner of owners) {
    try {
      await owner.checkOptions?.(options);
    } catch (err) {
      throw new UsageError(`--engine-option: ${(err as Error).message.split('\n')[0]}`);
    }
  }
}
