// The DFS client's write path: rows are appended in the binary row format and cut into blocks of `blockSize`
// bytes at row boundaries; each full block is checksummed and written to R DataNodes. The NameNode learns about
// the blocks only when the caller commits the file, so an abandoned writer leaves no visible file.
import { ByteWriter } from './bytes.ts';
import { checksumOf, placeReplicas, writeReplicaSync } from './datanode.ts';
import { writeRow, type Row, type ValueType } from './row-format.ts';

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

/** Per-writer state (one per output file being written). */
export class BlockWriter {
  private readonly w: ByteWriter;
  private rowsInBlock = 0;
  readonly blocks: WrittenBlock[] = [];
  rows = 0;
  bytes = 0;
  /** Bytes written to DataNode disks, counting every replica. */
  bytesOnDisk = 0;

  constructor(
    private readonly opts: BlockWriterOptions,
    private readonly types: readonly ValueType[],
  ) {
    this.w = new ByteWriter(Math.min(opts.blockSize + 4096, 1 << 24));
  }

  /** Appends one row; writes a block (synchronously, to every replica) when the current one is full. */
  append(row: Row): void {
    writeRow(this.w, this.types, row);
    this.rowsInBlock++;
    this.rows++;
    if (this.w.pos >= this.opts.blockSize) this.cut();
  }

  private cut(): void {
    if (this.rowsInBlock === 0) return;
    const data = this.w.view();
    const id = `${this.opts.blockPrefix}-${this.blocks.length}`;
    const replicas = placeReplicas(this.opts.liveDataNodes, this.opts.replication, this.opts.localDn, this.opts.salt + this.blocks.length);
    if (replicas.length === 0) throw new Error('no live DataNode to write to; restart the engine to format a fresh file system');
    for (const dn of replicas) writeReplicaSync(this.opts.dfsRoot, dn, id, data);
    this.blocks.push({ id, length: data.length, rows: this.rowsInBlock, checksum: checksumOf(data), replicas });
    this.bytes += data.length;
    this.bytesOnDisk += data.length * replicas.length;
    this.w.reset();
    this.rowsInBlock = 0;
  }

  /** Writes the last partial block and returns every block written. */
  close(): WrittenBlock[] {
    this.cut();
    return this.blocks;
  }
}
