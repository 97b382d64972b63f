// The driver's block manager: every stage output lives here in memory — shuffle map outputs (one block per
// reduce partition), broadcast pieces, cached partitions and result partitions. Losing an entry is how
// executor loss is modelled; the scheduler recomputes missing entries from lineage.
import type { Batch } from './columnar.ts';
import type { StageOutput } from './physical-plan.ts';

export class BlockManager {
  /** `${jobId}:${shuffleId}` → per map partition, its blocks per reduce partition. */
  private readonly shuffles = new Map<string, (Batch[] | undefined)[]>();
  private readonly broadcasts = new Map<string, (Batch | undefined)[]>();
  private readonly results = new Map<number, (Batch | undefined)[]>();
  /** cacheId → partitions; survives across jobs. */
  private readonly caches = new Map<number, (Batch | undefined)[]>();
  /** `${jobId}:${matchesId}` → per probe partition, the matched-left-rows bitmap of a broadcast-left join task. */
  private readonly matches = new Map<string, (Uint8Array | undefined)[]>();

  putMatches(jobId: number, matchesId: number, partition: number, bitmap: Uint8Array): void {
    const key = `${jobId}:${matchesId}`;
    let slots = this.matches.get(key);
    if (!slots) this.matches.set(key, (slots = []));
    slots[partition] = bitmap;
  }

  /** Probe partitions (of `partitions`) whose matched bitmap has not been reported in this job. */
  missingMatches(jobId: number, matchesId: number, partitions: number): number[] {
    const slots = this.matches.get(`${jobId}:${matchesId}`) ?? [];
    const missing: number[] = [];
    for (let p = 0; p < partitions; p++) if (slots[p] === undefined) missing.push(p);
    return missing;
  }

  /** The OR of every probe partition's matched bitmap (Spark folds the BitSets the same way); null if any is missing. */
  foldedMatches(jobId: number, matchesId: number, partitions: number): Uint8Array | null {
    if (this.missingMatches(jobId, matchesId, partitions).length > 0) return null;
    const slots = this.matches.get(`${jobId}:${matchesId}`) ?? [];
    const rows = slots[0]?.length ?? 0; // every bitmap has one byte per broadcast (left) row
    const out = new Uint8Array(new SharedArrayBuffer(rows));
    for (let p = 0; p < partitions; p++) {
      const m = slots[p]!;
      for (let i = 0; i < rows; i++) out[i]! |= m[i]!;
    }
    return out;
  }

  private slotsFor(jobId: number, out: StageOutput): (Batch[] | Batch | undefined)[] {
    let map: Map<string | number, (Batch[] | Batch | undefined)[]>;
    let key: string | number;
    switch (out.kind) {
      case 'shuffle':
        map = this.shuffles as Map<string | number, (Batch[] | Batch | undefined)[]>;
        key = `${jobId}:${out.shuffleId}`;
        break;
      case 'broadcast':
        map = this.broadcasts as Map<string | number, (Batch[] | Batch | undefined)[]>;
        key = `${jobId}:${out.broadcastId}`;
        break;
      case 'cache':
        map = this.caches as Map<string | number, (Batch[] | Batch | undefined)[]>;
        key = out.cacheId;
        break;
      case 'result':
        map = this.results as Map<string | number, (Batch[] | Batch | undefined)[]>;
        key = jobId;
        break;
      default: {
        const never: never = out;
        throw new Error(`unhandled stage output ${JSON.stringify(never)}`);
      }
    }
    let slots = map.get(key);
    if (!slots) {
      slots = [];
      map.set(key, slots);
    }
    return slots;
  }

  put(jobId: number, out: StageOutput, partition: number, blocks: Batch[]): void {
    this.slotsFor(jobId, out)[partition] = out.kind === 'shuffle' ? blocks : blocks[0]!;
  }

  /** Output partitions of a stage that are not (or no longer) available. */
  missing(jobId: number, out: StageOutput, partitions: number): number[] {
    const slots = this.slotsFor(jobId, out);
    const missing: number[] = [];
    for (let p = 0; p < partitions; p++) if (slots[p] === undefined) missing.push(p);
    return missing;
  }

  drop(jobId: number, out: StageOutput, partition: number): void {
    this.slotsFor(jobId, out)[partition] = undefined;
  }

  /** Blocks for reduce partition `r` of a shuffle, one per map partition; null if any map output is lost. */
  shuffleBlocks(jobId: number, shuffleId: number, r: number, maps: number): Batch[] | null {
    const slots = this.shuffles.get(`${jobId}:${shuffleId}`) ?? [];
    const out: Batch[] = [];
    for (let m = 0; m < maps; m++) {
      const blocks = slots[m];
      if (!blocks) return null;
      out.push(blocks[r]!);
    }
    return out;
  }

  /** All pieces of a broadcast (or a job's result), in partition order; null if any is missing. */
  pieces(jobId: number, out: StageOutput, partitions: number): Batch[] | null {
    const slots = this.slotsFor(jobId, out) as (Batch | undefined)[];
    const pieces: Batch[] = [];
    for (let p = 0; p < partitions; p++) {
      const b = slots[p];
      if (!b) return null;
      pieces.push(b);
    }
    return pieces;
  }

  cached(cacheId: number, partition: number): Batch | undefined {
    return this.caches.get(cacheId)?.[partition];
  }

  dropCached(cacheId: number, partition: number): void {
    const slots = this.caches.get(cacheId);
    if (slots) slots[partition] = undefined;
  }

  uncache(cacheId: number): void {
    this.caches.delete(cacheId);
  }

  /** Forget a finished job's shuffle, broadcast and result blocks (cached partitions stay). */
  endJob(jobId: number): void {
    for (const map of [this.shuffles, this.broadcasts, this.matches]) for (const k of [...map.keys()]) if (k.startsWith(`${jobId}:`)) map.delete(k);
    this.results.delete(jobId);
  }
}
