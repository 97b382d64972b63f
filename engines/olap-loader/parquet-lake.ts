// Target: a Parquet "lake" folder, where every write is one immutable Parquet file (as a streaming job writing
// to object storage does). Files are written by parquet-wasm (Arrow in; row-group size and codec set per file),
// appear atomically (temporary name, then rename), and are read with DuckDB's Parquet scanner. Storage facts come
// from the files' own footers, read back with hyparquet, an independent Parquet implementation.
import { readdirSync, readFileSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as arrow from 'apache-arrow';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { parquetMetadata } from 'hyparquet';
import * as parquet from 'parquet-wasm/node';
import { emptyTable } from '../../plan/arrow.ts';
import { assertNever } from '../../plan/types.ts';
import { EngineError } from '../engine.ts';
import { threadsOf } from '../duckdb/duckdb-engine.ts';
import { quoteIdent, quoteString, SQL_TYPE } from '../duckdb/sql.ts';
import { readRelation, runPlan } from './duckdb-read.ts';
import type { FollowUpQuery } from './follow-up-query.ts';
import { writesOf, type LoadStrategy } from './strategy.ts';
import type { LoadTarget, StorageFacts, TargetContext, TargetSession } from './target.ts';

/** Codecs the lake writes (option `olap.compression`); all of them DuckDB reads. */
const CODECS = {
  uncompressed: parquet.Compression.UNCOMPRESSED,
  snappy: parquet.Compression.SNAPPY,
  gzip: parquet.Compression.GZIP,
  zstd: parquet.Compression.ZSTD,
  lz4: parquet.Compression.LZ4_RAW,
} as const;
export type LakeCodec = keyof typeof CODECS;

/** Rows per row group unless `olap.rowGroupRows` says otherwise: DuckDB's own row-group size. */
export const DEFAULT_ROW_GROUP_ROWS = 122_880;

/** The lake's write settings, from `olap.rowGroupRows` and `olap.compression`. */
export function lakeSettings(options: TargetContext['options']): { readonly rowGroupRows: number; readonly codec: LakeCodec } {
  const rawRows = options['olap.rowGroupRows'] ?? DEFAULT_ROW_GROUP_ROWS;
  const rowGroupRows = Number(rawRows);
  if (!Number.isSafeInteger(rowGroupRows) || rowGroupRows < 1) {
    throw new EngineError(`olap.rowGroupRows must be a positive integer, got '${rawRows}'`, 'bad-input');
  }
  const codec = String(options['olap.compression'] ?? 'snappy').toLowerCase();
  if (!(codec in CODECS)) throw new EngineError(`olap.compression must be one of ${Object.keys(CODECS).join(', ')}; got '${codec}'`, 'bad-input');
  return { rowGroupRows, codec: codec as LakeCodec };
}

/** `part-000001.parquet`: zero-padded write sequence, so a listing sorts in write order. */
export function partFileName(sequence: number): string {
  return `part-${String(sequence).padStart(6, '0')}.parquet`;
}

/**
 * Encode an Arrow table as one Parquet file (all of it in memory: lake files are written whole).
 * @example const bytes = encodeParquet(batch, { rowGroupRows: 122880, codec: 'snappy' })
 */
export function encodeParquet(table: arrow.Table, settings: ReturnType<typeof lakeSettings>): Uint8Array {
  // WARNING: writeParquet consumes the wasm table and the properties; build both per file.
  const properties = new parquet.WriterPropertiesBuilder()
    .setMaxRowGroupSize(settings.rowGroupRows)
    .setCompression(CODECS[settings.codec])
    .setCreatedBy('enginebench olap-loader (parquet-wasm)')
    .build();
  const wasmTable = parquet.Table.fromIPCStream(arrow.tableToIPC(table, 'stream'));
  return parquet.writeParquet(wasmTable, properties);
}

class ParquetLakeSession implements TargetSession {
  private sequence = 0;
  private closed = false;
  private readonly settings: ReturnType<typeof lakeSettings>;

  constructor(
    private readonly ctx: TargetContext,
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
  ) {
    this.settings = lakeSettings(ctx.options);
  }

  /** One write = one new file. */
  private async writeFile(table: arrow.Table): Promise<void> {
    const name = partFileName(++this.sequence);
    const bytes = encodeParquet(table, this.settings);
    // WARNING: readers glob *.parquet, so a file becomes visible only once complete, by rename.
    const temporary = join(this.ctx.dir, `.${name}.tmp`);
    await writeFile(temporary, bytes);
    await rename(temporary, join(this.ctx.dir, name));
  }

  async load(table: arrow.Table, strategy: LoadStrategy): Promise<{ writes: number }> {
    switch (strategy.kind) {
      case 'row':
      case 'micro-batch':
      case 'bulk': {
        // The strategies differ only in how many rows each file gets; row groups split within a file.
        const writes = writesOf(table, strategy);
        for (const w of writes) await this.writeFile(w);
        return { writes: writes.length };
      }
      default:
        return assertNever(strategy, 'load strategy');
    }
  }

  private files(): string[] {
    return readdirSync(this.ctx.dir)
      .filter((f) => f.endsWith('.parquet') && !f.startsWith('.'))
      .sort();
  }

  /** The relation DuckDB scans: every Parquet file in the folder. */
  private relation(): string {
    return `read_parquet(${quoteString(join(this.ctx.dir, '*.parquet'))})`;
  }

  async storage(): Promise<StorageFacts> {
    let bytesOnDisk = 0;
    let rowGroups = 0;
    let compressedColumnBytes = 0;
    let uncompressedColumnBytes = 0;
    const codecs = new Set<string>();
    const files = this.files();
    for (const f of files) {
      const bytes = readFileSync(join(this.ctx.dir, f));
      bytesOnDisk += bytes.byteLength;
      const metadata = parquetMetadata(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
      rowGroups += metadata.row_groups.length;
      for (const rg of metadata.row_groups) {
        for (const column of rg.columns) {
          const m = column.meta_data;
          if (!m) continue;
          compressedColumnBytes += Number(m.total_compressed_size);
          uncompressedColumnBytes += Number(m.total_uncompressed_size);
          codecs.add(m.codec);
        }
      }
    }
    const footerBytes = bytesOnDisk - compressedColumnBytes;
    return {
      files: files.length,
      rowGroups,
      bytesOnDisk,
      counters: {
        columnChunkBytes: compressedColumnBytes,
        uncompressedColumnChunkBytes: uncompressedColumnBytes,
        footerAndMetadataBytes: footerBytes,
        rowGroupRowsLimit: this.settings.rowGroupRows,
      },
      notes: [
        `${files.length} Parquet file(s), ${rowGroups} row group(s), codec ${[...codecs].join('/') || 'none'}; ` +
          `${footerBytes} of ${bytesOnDisk} bytes are headers, footers and page metadata`,
      ],
    };
  }

  readBack(): Promise<arrow.Table> {
    // DuckDB refuses a glob that matches nothing; an empty lake reads as an empty table.
    if (this.files().length === 0) return Promise.resolve(emptyTable(this.ctx.schema));
    return readRelation(this.connection, this.relation(), this.ctx.schema);
  }

  async query(q: FollowUpQuery): Promise<arrow.Table> {
    // A view named like the loaded table, so the plan's scan reads the folder as it stands now (an empty lake
    // is an empty table: DuckDB refuses a glob that matches no file).
    const name = quoteIdent(this.ctx.table);
    await this.connection.run(`DROP VIEW IF EXISTS ${name}`);
    await this.connection.run(`DROP TABLE IF EXISTS ${name}`);
    if (this.files().length === 0) {
      await this.connection.run(`CREATE TABLE ${name} (${this.ctx.schema.map((f) => `${quoteIdent(f.name)} ${SQL_TYPE[f.type]}`).join(', ')})`);
    } else {
      await this.connection.run(`CREATE VIEW ${name} AS SELECT * FROM ${this.relation()}`);
    }
    return runPlan(this.connection, q.plan);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.connection.closeSync();
    this.instance.closeSync();
  }
}

/**
 * A folder of Parquet files, one per write, scanned by DuckDB.
 * @example const session = await parquetLakeTarget.open({ dir, table: 'transactions', schema, options: { 'olap.rowGroupRows': 1000 } })
 */
export const parquetLakeTarget: LoadTarget = {
  name: 'parquet-lake',
  models: 'Parquet files in a folder (a data lake table without a table format): one file per write, parquet-wasm writer, DuckDB reader',
  available: async () => ({ ok: true }),
  async open(ctx) {
    lakeSettings(ctx.options); // bad options fail before anything is created
    let instance: DuckDBInstance;
    try {
      instance = await DuckDBInstance.create(':memory:', { threads: String(threadsOf(ctx.options)) });
    } catch (e) {
      throw new EngineError(`cannot start DuckDB: ${String((e as Error).message).split('\n')[0]}`, 'unavailable');
    }
    return new ParquetLakeSession(ctx, instance, await instance.connect());
  },
};
