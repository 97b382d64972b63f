// The NameNode: the catalog of the block file system (file → blocks, block → DataNodes, which DataNodes live),
// persisted as `dfs/name/fsimage.json` with an atomic write after every change. It notices under-replicated
// blocks (a killed DataNode, a corrupt replica) and copies them back to R replicas from a good one.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Schema } from '../../plan/types.ts';
import { readBlock, BlockLostError, type BadReplica, type BlockRef } from './block-io.ts';
import { dataNodeDir, replicaPath, writeReplica } from './datanode.ts';
import type { WrittenBlock } from './block-writer.ts';

/** A block in the catalog; `replicas` changes as DataNodes die and blocks are re-replicated. */
export interface BlockInfo extends Omit<WrittenBlock, 'replicas'> {
  replicas: number[];
}

export interface FileInfo {
  readonly path: string;
  readonly schema: Schema;
  readonly rows: number;
  readonly bytes: number;
  readonly blocks: BlockInfo[];
}

interface FsImage {
  /** 2: blocks are columnar (column-block.ts); version 1 stored row-major blocks. */
  version: 2;
  replication: number;
  blockSize: number;
  dataNodes: { id: number; alive: boolean }[];
  files: Record<string, FileInfo>;
  nextBlock: number;
}

export interface DfsConfig {
  readonly dataNodes: number;
  readonly replication: number;
  readonly blockSize: number;
}

export interface ReplicationReport {
  /** Replicas copied to restore R. */
  readonly copied: number;
  /** Blocks left with no good replica (their files can no longer be read). */
  readonly lost: readonly string[];
  readonly underReplicated: number;
}

/**
 * The catalog. All mutations go through here; WARNING: only one process (the engine's main thread or the CLI)
 * may own a NameNode directory at a time, there is no lock.
 * @example
 *   const nn = await NameNode.format(dir, { dataNodes: 4, replication: 3, blockSize: 4 << 20 });
 *   await nn.killDataNode(2); // re-replicates what dn-2 held
 */
export class NameNode {
  private constructor(
    readonly root: string,
    private image: FsImage,
  ) {}

  static imagePath(root: string): string {
    return path.join(root, 'name', 'fsimage.json');
  }

  /** Creates an empty file system with `dataNodes` empty DataNode folders (wiping any previous one). */
  static async format(root: string, config: DfsConfig): Promise<NameNode> {
    if (config.replication < 1 || config.dataNodes < 1 || config.blockSize < 1) {
      throw new Error(`invalid file system settings ${JSON.stringify(config)}: dataNodes, replication and blockSize must be positive`);
    }
    await fs.rm(root, { recursive: true, force: true });
    await fs.mkdir(path.join(root, 'name'), { recursive: true });
    for (let dn = 0; dn < config.dataNodes; dn++) await fs.mkdir(dataNodeDir(root, dn), { recursive: true });
    const nn = new NameNode(root, {
      version: 2,
      replication: config.replication,
      blockSize: config.blockSize,
      dataNodes: Array.from({ length: config.dataNodes }, (_, id) => ({ id, alive: true })),
      files: {},
      nextBlock: 0,
    });
    await nn.persist();
    return nn;
  }

  static async open(root: string): Promise<NameNode> {
    let text: string;
    try {
      text = await fs.readFile(NameNode.imagePath(root), 'utf8');
    } catch {
      throw new Error(`no file system at ${root}: run 'format' first`);
    }
    const image = JSON.parse(text) as FsImage;
    if (image.version !== 2) {
      throw new Error(`the file system at ${root} has fsimage version ${String(image.version)} (row-major blocks); this engine reads columnar blocks (version 2): run 'format' and 'put' again`);
    }
    return new NameNode(root, image);
  }

  get replication(): number {
    return this.image.replication;
  }
  get blockSize(): number {
    return this.image.blockSize;
  }
  get dataNodes(): readonly { id: number; alive: boolean }[] {
    return this.image.dataNodes;
  }
  liveDataNodes(): number[] {
    return this.image.dataNodes.filter((d) => d.alive).map((d) => d.id);
  }

  /** A fresh block-id prefix for a writer (load or task attempt). */
  allocateBlockPrefix(label: string): string {
    return `${label}${this.image.nextBlock++}`;
  }

  file(p: string): FileInfo | undefined {
    return this.image.files[p];
  }
  /** Files whose path starts with `prefix`, sorted by path. */
  list(prefix = '/'): FileInfo[] {
    return Object.values(this.image.files)
      .filter((f) => f.path.startsWith(prefix))
      .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  blockRefs(file: FileInfo): BlockRef[] {
    return file.blocks.map((b) => ({ file: file.path, id: b.id, length: b.length, rows: b.rows, checksum: b.checksum, replicas: [...b.replicas] }));
  }

  /**
   * Adds (or replaces) files in one atomic catalog edit: a job's commit. Replaced files' blocks are deleted.
   * WARNING: this is the commit point; before it the blocks exist on DataNodes but no reader can find them.
   */
  async commitFiles(files: readonly FileInfo[]): Promise<void> {
    const replaced = files.map((f) => this.image.files[f.path]).filter((f): f is FileInfo => f !== undefined);
    for (const f of files) this.image.files[f.path] = f;
    await this.persist();
    await this.deleteBlocks(replaced.flatMap((f) => f.blocks));
  }

  /** Deletes every file under `prefix` (catalog first, then the replicas). */
  async deletePrefix(prefix: string): Promise<void> {
    const doomed = this.list(prefix);
    if (doomed.length === 0) return;
    for (const f of doomed) delete this.image.files[f.path];
    await this.persist();
    await this.deleteBlocks(doomed.flatMap((f) => f.blocks));
  }

  private async deleteBlocks(blocks: readonly BlockInfo[]): Promise<void> {
    await Promise.all(blocks.flatMap((b) => b.replicas.map((dn) => fs.rm(replicaPath(this.root, dn, b.id), { force: true }))));
  }

  /** Kills a DataNode: its disk is gone (folder deleted); the NameNode re-replicates what it held. */
  async killDataNode(dn: number): Promise<ReplicationReport> {
    const node = this.image.dataNodes.find((d) => d.id === dn);
    if (!node) throw new Error(`no DataNode ${dn}; DataNodes are ${this.image.dataNodes.map((d) => d.id).join(', ')}`);
    if (!node.alive) throw new Error(`DataNode ${dn} is already dead`);
    node.alive = false;
    await fs.rm(dataNodeDir(this.root, dn), { recursive: true, force: true });
    for (const f of Object.values(this.image.files)) for (const b of f.blocks) b.replicas = b.replicas.filter((r) => r !== dn);
    await this.persist();
    return this.reReplicate();
  }

  /** Drops replicas a reader found missing or corrupt, then restores replication from good replicas. */
  async reportBadReplicas(bad: readonly BadReplica[]): Promise<ReplicationReport | null> {
    if (bad.length === 0) return null;
    for (const f of Object.values(this.image.files)) {
      for (const b of f.blocks) {
        const gone = bad.filter((x) => x.blockId === b.id).map((x) => x.dn);
        if (gone.length) b.replicas = b.replicas.filter((r) => !gone.includes(r));
      }
    }
    await Promise.all(bad.map((x) => fs.rm(replicaPath(this.root, x.dn, x.blockId), { force: true })));
    await this.persist();
    return this.reReplicate();
  }

  /** Copies every under-replicated block from a verified replica to live DataNodes that lack it. */
  async reReplicate(): Promise<ReplicationReport> {
    const live = this.liveDataNodes();
    const target = Math.min(this.image.replication, live.length);
    let copied = 0;
    let under = 0;
    const lost: string[] = [];
    for (const f of Object.values(this.image.files)) {
      for (const b of f.blocks) {
        if (b.replicas.length >= target) continue;
        under++;
        if (b.replicas.length === 0) {
          lost.push(b.id);
          continue;
        }
        let data: Buffer;
        try {
          const read = await readBlock(this.root, { file: f.path, ...b });
          data = read.data;
          const badDns = read.bad.map((x) => x.dn);
          b.replicas = b.replicas.filter((r) => !badDns.includes(r));
        } catch (err) {
          if (!(err instanceof BlockLostError)) throw err;
          b.replicas = [];
          lost.push(b.id);
          continue;
        }
        const candidates = live.filter((dn) => !b.replicas.includes(dn));
        for (const dn of candidates.slice(0, target - b.replicas.length)) {
          await writeReplica(this.root, dn, b.id, data);
          b.replicas.push(dn);
          copied++;
        }
      }
    }
    await this.persist();
    return { copied, lost, underReplicated: under };
  }

  /** Verifies every replica's checksum (HDFS's fsck + block scanner); bad replicas are dropped and re-replicated. */
  async fsck(): Promise<{ files: number; blocks: number; replicas: number; bad: BadReplica[]; report: ReplicationReport }> {
    const bad: BadReplica[] = [];
    let blocks = 0;
    let replicas = 0;
    for (const f of Object.values(this.image.files)) {
      for (const b of f.blocks) {
        blocks++;
        for (const dn of b.replicas) {
          replicas++;
          try {
            const r = await readBlock(this.root, { file: f.path, ...b, replicas: [dn] });
            bad.push(...r.bad);
          } catch {
            // readBlock lists the reason in its error; recompute it here as a structured record
            const exists = await fs.stat(replicaPath(this.root, dn, b.id)).then(() => true, () => false);
            bad.push({ blockId: b.id, dn, reason: exists ? 'checksum mismatch' : 'missing' });
          }
        }
      }
    }
    const report = (await this.reportBadReplicas(bad)) ?? (await this.reReplicate());
    return { files: Object.keys(this.image.files).length, blocks, replicas, bad, report };
  }

  /** Deletes replica files the catalog does not reference (abandoned task attempts), as a DataNode block report would. */
  async collectGarbage(): Promise<number> {
    const known = new Set<string>();
    for (const f of Object.values(this.image.files)) for (const b of f.blocks) known.add(`blk_${b.id}`);
    let removed = 0;
    for (const dn of this.liveDataNodes()) {
      const dir = dataNodeDir(this.root, dn);
      const names = await fs.readdir(dir).catch(() => [] as string[]);
      for (const name of names) {
        if (!known.has(name)) {
          await fs.rm(path.join(dir, name), { force: true });
          removed++;
        }
      }
    }
    return removed;
  }

  /** Writes the catalog atomically (temp file + rename). */
  async persist(): Promise<void> {
    const target = NameNode.imagePath(this.root);
    const tmp = `${target}.tmp`;
    await fs.writeFile(tmp, JSON.stringify(this.image));
    await fs.rename(tmp, target);
  }
}
