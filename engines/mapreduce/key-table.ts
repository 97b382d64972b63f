// A hash table from key bytes to dense group numbers (0, 1, 2, ... in first-seen order), for in-mapper combining:
// each distinct key is copied once into one byte arena, so looking up a key that is already there allocates
// nothing. Open addressing with linear probing over a power-of-two slot array.

export class KeyTable {
  private arena: Buffer;
  private arenaPos = 0;
  private starts: Int32Array;
  private lengths: Int32Array;
  private hashes: Int32Array;
  /** Two ints per slot: the key's hash, then group + 1 (0 = empty). */
  private slots: Int32Array;
  private mask: number;
  size = 0;

  constructor(initialGroups = 1024) {
    const cap = 1 << Math.max(4, 32 - Math.clz32(initialGroups * 2 - 1));
    this.slots = new Int32Array(cap * 2);
    this.mask = cap - 1;
    this.starts = new Int32Array(initialGroups);
    this.lengths = new Int32Array(initialGroups);
    this.hashes = new Int32Array(initialGroups);
    this.arena = Buffer.allocUnsafe(initialGroups * 16);
  }

  /** Bytes held by the table (arena, slots and per-group arrays), for the caller's memory limit. */
  get bytes(): number {
    return this.arena.length + this.slots.byteLength + this.starts.byteLength * 3;
  }

  /** The group of the key at [0, len) of `key`; a key not seen before gets group `size` (then size grows by one). */
  find(key: Uint8Array, len: number): number {
    let h = 0x811c9dc5;
    for (let i = 0; i < len; i++) h = Math.imul(h ^ key[i]!, 0x01000193);
    // FNV-1a mixes short keys poorly; murmur3's fmix32 finisher spreads them over the low bits the index uses.
    h ^= h >>> 16;
    h = Math.imul(h, 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
    // Each slot holds (hash, group + 1) side by side, so a probe touches one cache line until the hashes match.
    const slots = this.slots;
    const mask = this.mask;
    let s = h & mask;
    for (;;) {
      const g1 = slots[2 * s + 1]!;
      if (g1 === 0) break;
      if (slots[2 * s] === h) {
        const g = g1 - 1;
        if (this.lengths[g] === len) {
          const arena = this.arena;
          let at = this.starts[g]!;
          let i = 0;
          while (i < len && arena[at] === key[i]) {
            at++;
            i++;
          }
          if (i === len) return g;
        }
      }
      s = (s + 1) & mask;
    }
    return this.insert(key, len, h, s);
  }

  private insert(key: Uint8Array, len: number, h: number, slot: number): number {
    const g = this.size;
    if (g === this.starts.length) this.growGroups();
    if (this.arenaPos + len > this.arena.length) {
      const bigger = Buffer.allocUnsafe(Math.max(this.arena.length * 2, this.arenaPos + len));
      this.arena.copy(bigger, 0, 0, this.arenaPos);
      this.arena = bigger;
    }
    const arena = this.arena;
    let at = this.arenaPos;
    this.starts[g] = at;
    for (let i = 0; i < len; i++) arena[at++] = key[i]!;
    this.arenaPos = at;
    this.lengths[g] = len;
    this.hashes[g] = h;
    this.slots[2 * slot] = h;
    this.slots[2 * slot + 1] = g + 1;
    this.size = g + 1;
    // Keep the load factor at most 1/2.
    if (this.size * 2 > this.mask + 1) this.rehash();
    return g;
  }

  private growGroups(): void {
    const n = this.starts.length * 2;
    const grow = (a: Int32Array): Int32Array => {
      const b = new Int32Array(n);
      b.set(a);
      return b;
    };
    this.starts = grow(this.starts);
    this.lengths = grow(this.lengths);
    this.hashes = grow(this.hashes);
  }

  private rehash(): void {
    const cap = (this.mask + 1) * 2;
    const slots = new Int32Array(cap * 2);
    const mask = cap - 1;
    for (let g = 0; g < this.size; g++) {
      const h = this.hashes[g]!;
      let s = h & mask;
      while (slots[2 * s + 1] !== 0) s = (s + 1) & mask;
      slots[2 * s] = h;
      slots[2 * s + 1] = g + 1;
    }
    this.slots = slots;
    this.mask = mask;
  }

  /** Where group `g`'s key starts in `keys`. */
  keyStart(g: number): number {
    return this.starts[g]!;
  }

  keyLength(g: number): number {
    return this.lengths[g]!;
  }

  /** The arena holding every key; valid until the next `find` that inserts. */
  get keys(): Buffer {
    return this.arena;
  }

  /** Forgets every group, keeping the memory. */
  clear(): void {
    this.slots.fill(0);
    this.size = 0;
    this.arenaPos = 0;
  }
}

/** murmur3's fmix32: spreads consecutive ids over the low bits the slot index uses. */
function hashInt32(key: number): number {
  let h = key ^ (key >>> 16);
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/**
 * The same as KeyTable for a single int32 group key, hashed as a number: no key bytes are encoded per row.
 * Keys are looked up directly; the caller encodes each distinct key once, when it collects the groups.
 */
export class IntKeyTable {
  private keyOf: Int32Array;
  /** Two ints per slot: the key, then group + 1 (0 = empty). */
  private slots: Int32Array;
  private mask: number;
  size = 0;
  /** Bytes of the slot and key arrays, kept up to date as they grow (callers read it once per new group). */
  bytes: number;

  constructor(initialGroups = 1024) {
    const cap = 1 << Math.max(4, 32 - Math.clz32(initialGroups * 2 - 1));
    this.slots = new Int32Array(cap * 2);
    this.mask = cap - 1;
    this.keyOf = new Int32Array(initialGroups);
    this.bytes = this.slots.byteLength + this.keyOf.byteLength;
  }

  /** The group of int32 `key`; a key not seen before gets group `size` (then size grows by one). */
  find(key: number): number {
    const h = hashInt32(key);
    const slots = this.slots;
    const mask = this.mask;
    let s = h & mask;
    for (;;) {
      const g1 = slots[2 * s + 1]!;
      if (g1 === 0) break;
      if (slots[2 * s] === key) return g1 - 1;
      s = (s + 1) & mask;
    }
    const g = this.size;
    if (g === this.keyOf.length) {
      const bigger = new Int32Array(g * 2);
      bigger.set(this.keyOf);
      this.keyOf = bigger;
      this.bytes = this.slots.byteLength + this.keyOf.byteLength;
    }
    this.keyOf[g] = key;
    slots[2 * s] = key;
    slots[2 * s + 1] = g + 1;
    this.size = g + 1;
    if (this.size * 2 > mask + 1) this.rehash();
    return g;
  }

  /** The key of group `g`. */
  keyAt(g: number): number {
    return this.keyOf[g]!;
  }

  private rehash(): void {
    const cap = (this.mask + 1) * 2;
    const slots = new Int32Array(cap * 2);
    const mask = cap - 1;
    for (let g = 0; g < this.size; g++) {
      const key = this.keyOf[g]!;
      let s = hashInt32(key) & mask;
      while (slots[2 * s + 1] !== 0) s = (s + 1) & mask;
      slots[2 * s] = key;
      slots[2 * s + 1] = g + 1;
    }
    this.slots = slots;
    this.mask = mask;
    this.bytes = this.slots.byteLength + this.keyOf.byteLength;
  }

  /** Forgets every group, keeping the memory. */
  clear(): void {
    this.slots.fill(0);
    this.size = 0;
  }
}
