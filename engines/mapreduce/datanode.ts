// A DataNode is a folder of block replicas under the work directory (`dfs/data/dn-<id>/blk_<id>`). Replicas are
// written to a temporary name and renamed, so a reader never sees half a block. Used from workers and the main thread.
import { promises as fs, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { crc32 } from 'node:zlib';

export function dataNodeDir(dfsRoot: string, dn: number): string {
  return path.join(dfsRoot, 'data', `dn-${dn}`);
}

export function replicaPath(dfsRoot: string, dn: number, blockId: string): string {
  return path.join(dataNodeDir(dfsRoot, dn), `blk_${blockId}`);
}

/** The checksum stored per block in the NameNode and verified on every read (CRC-32, as HDFS's CRC32C). */
export function checksumOf(data: Uint8Array): number {
  return crc32(data);
}

/** Writes one replica atomically (temp name + rename). */
export async function writeReplica(dfsRoot: string, dn: number, blockId: string, data: Uint8Array): Promise<void> {
  const target = replicaPath(dfsRoot, dn, blockId);
  const tmp = `${target}.tmp`;
  await fs.writeFile(tmp, data);
  await fs.rename(tmp, target);
}

/** Synchronous variant for worker loops (a worker thread blocking on its own disk write is the point). */
export function writeReplicaSync(dfsRoot: string, dn: number, blockId: string, data: Uint8Array): void {
  const target = replicaPath(dfsRoot, dn, blockId);
  const tmp = `${target}.tmp`;
  writeFileSync(tmp, data);
  renameSync(tmp, target);
}

/**
 * Chooses R DataNodes for a new block: the writer's own DataNode first (as HDFS does for a client on a DataNode),
 * then the others in a rotation that `salt` shifts, so replicas spread evenly and deterministically.
 */
export function placeReplicas(live: readonly number[], replication: number, local: number | undefined, salt: number): number[] {
  const out: number[] = [];
  if (local !== undefined && live.includes(local)) out.push(local);
  const n = live.length;
  for (let i = 0; i < n && out.length < Math.min(replication, n); i++) {
    const dn = live[(salt + i) % n]!;
    if (!out.includes(dn)) out.push(dn);
  }
  return out;
}
