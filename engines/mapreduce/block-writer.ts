// The DFS client's write path: rows are appended (one at a time, or as ranges of column vectors at load) into a
// columnar block (column-block.ts) that is cut at the first row where its encoded length reaches `blockSize`; each
// full block is checksummed and written to R DataNodes. The NameNode learns about the blocks only when the caller
// commits the file, so an abandoned writer leaves no visible file.
import type { DataType } from '../../plan/types.ts';
import { ColumnBlockBuilder, encodedBlockBytes, valueWidth } from './column-block.ts';
import { checksumOf, placeReplicas, writeReplicaSync } from './datanode.ts';
import type { Row } from './row-format.ts';
import type { ColumnVector } from './vector.ts';

export interface WrittenBlock {
  readonly id: string;
  readonly length: number;
  readonly rows: number;
  readonly checksum: number;
  readonly replicas: number[];
}

export interface BlockWriterOptions {
  readonly dfsRoot: string;
  readonly blockSize: number;
  readonly replication: number;
  readonly liveDataNodes: readonly number[];
  /** The writer's DataNode: the first replica goes there. */
  readonly localDn?: number;
  /** Prefix of the block ids this writer allocates; unique per task attempt (or per load). */
  readonly blockPrefix: string;
  /** Shifts replica placement. */
  readonly salt: number;
}

/** Rows whose sizes `appendVectors` adds up at a time (a bound on its scratch memory). */
const WINDOW_ROWS = 1 << 16;

/** Per-writer state (one per output file being written). */
export class BlockWriter {
  private readonly builder: ColumnBlockBuilder;
  readonly blocks: WrittenBlock[] = [];
  rows = 0;
  bytes = 0;
  /** Bytes written to DataNode disks, counting every replica. */
  bytesOnDisk = 0;

  constructor(
    private readonly opts: BlockWriterOptions,
    private readonly types: readonly DataType[],
  ) {
    this.builder = new ColumnBlockBuilder(types);
  }

  /** Appends one row; writes a block (synchronously, to every replica) when the current one is full. */
  append(row: Row): void {
    this.builder.appendRow(row);
    this.rows++;
    if (this.builder.encodedBytes >= this.opts.blockSize) this.cut();
  }

  /**
   * Appends rows [from[c], from[c] + n) of each column's vector, cutting blocks where `append` would. Row sizes are
   * added up a column at a time over windows of rows; only the last rows before a cut are checked against the
   * exact (padded) block length. The values are then copied a block's range at a time.
   */
  appendVectors(vectors: readonly ColumnVector[], from: readonly number[], n: number): void {
    const types = this.types;
    const cols = types.length;
    const blockSize = this.opts.blockSize;
    const fixedRowBytes = types.reduce((s, t) => s + valueWidth(t), 0);
    // A lower bound of the encoded length leaves out padding: at most 7 bytes for the header and for each of a
    // section's (up to 3) parts. Within `slack` of the block size, rows are checked exactly, one by one.
    const slack = 7 + 21 * cols;
    const headers = 16 + 16 * cols;
    const window = Math.min(n, WINDOW_ROWS);
    const rowBytes = new Float64Array(window);
    const firstNulls = new Int32Array(window);
    const stringsIn = (c: number, base: number, lo: number, hi: number): number => {
      const v = vectors[c]! as Extract<ColumnVector, { type: 'utf8' }>;
      let sum = 0;
      for (let k = lo; k < hi; k++) if (v.nulls === null || v.nulls[base + k] === 0) sum += v.ends[base + k]! - v.starts[base + k]!;
      return sum;
    };
    let done = 0;
    while (done < n) {
      const b = this.builder;
      const w = Math.min(n - done, window);
      const hasNulls = types.map((_, c) => b.hasNulls(c));
      const firstNull = types.map(() => w);
      rowBytes.fill(fixedRowBytes, 0, w);
      firstNulls.fill(0, 0, w);
      let data = b.rows * fixedRowBytes;
      for (let c = 0; c < cols; c++) {
        const v = vectors[c]!;
        const base = from[c]! + done;
        if (v.type === 'utf8') {
          data += b.stringBytes(c);
          const { starts, ends, nulls } = v;
          for (let k = 0; k < w; k++) if (nulls === null || nulls[base + k] === 0) rowBytes[k]! += ends[base + k]! - starts[base + k]!;
        }
        if (v.nulls !== null && !hasNulls[c]) {
          const at = v.nulls.subarray(base, base + w).indexOf(1);
          if (at >= 0) {
            firstNull[c] = at;
            firstNulls[at]!++;
          }
        }
      }
      let withBitmap = hasNulls.filter(Boolean).length;
      let rows = b.rows;
      let k = 0;
      for (; k < w; k++) {
        data += rowBytes[k]!;
        withBitmap += firstNulls[k]!;
        rows++;
        if (headers + data + withBitmap * ((rows + 7) >> 3) + slack >= blockSize) break;
      }
      let take = w;
      if (k < w) {
        // Near the block size: the exact length, row by row, from row k on.
        const strings = types.map((t, c) => (t === 'utf8' ? b.stringBytes(c) + stringsIn(c, from[c]! + done, 0, k + 1) : 0));
        const nulls = types.map((_, c) => hasNulls[c]! || firstNull[c]! <= k);
        for (;;) {
          if (encodedBlockBytes(types, rows, strings, nulls) >= blockSize) {
            take = k + 1;
            break;
          }
          if (++k === w) break;
          rows++;
          for (let c = 0; c < cols; c++) {
            if (types[c] === 'utf8') strings[c]! += stringsIn(c, from[c]! + done, k, k + 1);
            if (firstNull[c] === k) nulls[c] = true;
          }
        }
      }
      b.appendVectors(vectors, from.map((f) => f + done), take);
      this.rows += take;
      done += take;
      if (b.encodedBytes >= blockSize) this.cut();
    }
  }

  private cut(): void {
    if (this.builder.rows === 0) return;
    const rows = this.builder.rows;
    const data = this.builder.finish();
    const id = `${this.opts.blockPrefix}-${this.blocks.length}`;
    const replicas = placeReplicas(this.opts.liveDataNodes, this.opts.replication, this.opts.localDn, this.opts.salt + this.blocks.length);
    if (replicas.length === 0) throw new Error('no live DataNode to write to; restart the engine to format a fresh file system');
    for (const dn of replicas) writeReplicaSync(this.opts.dfsRoot, dn, id, data);
    this.blocks.push({ id, length: data.length, rows, checksum: checksumOf(data), replicas });
    this.bytes += data.length;
    this.bytesOnDisk += data.length * replicas.length;
  }

  /** Writes the last partial block and returns every block written. */
  close(): WrittenBlock[] {
    this.cut();
    return this.blocks;
  }
}
