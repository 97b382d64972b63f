// Reading a block from its replicas: the preferred (local) replica first, verifying its checksum, falling back to
// the next replica on a missing file or a checksum mismatch. Every bad replica is reported back so the NameNode
// can drop it and re-replicate; a block with no good replica is an explicit error, never wrong data.
import { promises as fs } from 'node:fs';
import { checksumOf, replicaPath } from './datanode.ts';

/** What a reader needs to know about one block (a slice of the NameNode's catalog). */
export interface BlockRef {
  readonly file: string;
  readonly id: string;
  readonly length: number;
  readonly rows: number;
  readonly checksum: number;
  readonly replicas: readonly number[];
}

export interface BadReplica {
  readonly blockId: string;
  readonly dn: number;
  readonly reason: 'missing' | 'checksum mismatch' | 'wrong length';
}

/** Thrown when every replica of a block is missing or corrupt. */
export class BlockLostError extends Error {
  override name = 'BlockLostError';
}

/** Replicas in read order: the preferred DataNode's first. */
export function readOrder(replicas: readonly number[], preferDn: number | undefined): number[] {
  if (preferDn === undefined || !replicas.includes(preferDn)) return [...replicas];
  return [preferDn, ...replicas.filter((d) => d !== preferDn)];
}

/**
 * Reads and verifies one block.
 * @example const { data, bad } = await readBlock(dfsRoot, block, 0);
 */
export async function readBlock(dfsRoot: string, block: BlockRef, preferDn?: number): Promise<{ data: Buffer; dn: number; bad: BadReplica[] }> {
  const bad: BadReplica[] = [];
  for (const dn of readOrder(block.replicas, preferDn)) {
    let data: Buffer;
    try {
      data = await fs.readFile(replicaPath(dfsRoot, dn, block.id));
    } catch {
      bad.push({ blockId: block.id, dn, reason: 'missing' });
      continue;
    }
    if (data.length !== block.length) {
      bad.push({ blockId: block.id, dn, reason: 'wrong length' });
      continue;
    }
    if (checksumOf(data) !== block.checksum) {
      bad.push({ blockId: block.id, dn, reason: 'checksum mismatch' });
      continue;
    }
    return { data, dn, bad };
  }
  const detail = bad.length ? bad.map((b) => `dn-${b.dn}: ${b.reason}`).join('; ') : 'no replicas recorded';
  throw new BlockLostError(
    `block ${block.id} of ${block.file} is lost: all replicas are missing or corrupt (${detail}); reload the table (engine.load) to recreate it`,
  );
}
