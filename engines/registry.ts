// Every engine the bench knows, by CLI name. The reference engine (DuckDB, the correctness oracle) comes first.
import type { EngineDescriptor } from './engine.ts';
import { duckdbEngine } from './duckdb/index.ts';
import { polarsEngine } from './polars/index.ts';
import { clickhouseEngine } from './clickhouse/index.ts';
import { dagEngine } from './dag/index.ts';
import { dataframeEngine } from './dataframe/index.ts';
import { mapreduceEngine } from './mapreduce/index.ts';

export const ENGINES: readonly EngineDescriptor[] = [duckdbEngine, dagEngine, mapreduceEngine, dataframeEngine, polarsEngine, clickhouseEngine];

/**
 * The engine called `name`; throws an Error listing the valid names otherwise.
 * @example findEngine('duckdb').models
 */
export function findEngine(name: string): EngineDescriptor {
  const found = ENGINES.find((e) => e.name === name);
  if (!found) throw new Error(`unknown engine '${name}'; valid engines: ${ENGINES.map((e) => e.name).join(', ')}`);
  return found;
}
