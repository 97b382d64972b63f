// A measurement, not a test: why DFS blocks are columnar. One ~4 MiB block of user_events stored (a) columnar
// (column-block.ts) and (b) row-major (the row format blocks used before), and the CPU per row of getting the
// group-by's user_id column out of each into an Int32Array, alone and followed by the in-mapper count.
//   node --import tsx engines/mapreduce/bench-block-format.ts [rows-in-dataset=1000000]
import { loadDataset } from '../../datasets/cache.ts';
import type { DataType } from '../../plan/types.ts';
import { ByteWriter } from './bytes.ts';
import { ColumnBlockBuilder, decodeColumnBlock } from './column-block.ts';
import { IntKeyTable } from './key-table.ts';
import { writeRow } from './row-format.ts';

const tables = await loadDataset({ dataset: 'user_events', params: { users: 100_000, skew: 'zipf' } }, Number(process.argv[2] ?? 1e6));
const t = tables.get('user_events')!;
const types: DataType[] = ['int32', 'utf8', 'timestamp', 'float64'];
const names = ['user_id', 'event_type', 'ts', 'value'];
const columns = names.map((n) => t.getChild(n)!);

// The same rows both ways, until the row-major block reaches 4 MiB.
const rowMajor = new ByteWriter(1 << 23);
const columnar = new ColumnBlockBuilder(types);
let rows = 0;
for (; rowMajor.pos < 4 << 20 && rows < t.numRows; rows++) {
  const row = columns.map((c, i) => (types[i] === 'timestamp' ? Number(c.get(rows)) : c.get(rows)));
  writeRow(rowMajor, types, row);
  columnar.appendRow(row);
}
const rowBlock = rowMajor.copy();
const colBlock = columnar.finish();

/** (b) Column-wise decode of row-major bytes: walk every row (bitmap, varint string length) to reach the next. */
function decodeRowMajor(buf: Buffer, n: number, out: Int32Array): void {
  let pos = 0;
  for (let i = 0; i < n; i++) {
    const nulls = buf[pos++]!;
    if ((nulls & 1) === 0) {
      out[i] = buf[pos]! | (buf[pos + 1]! << 8) | (buf[pos + 2]! << 16) | (buf[pos + 3]! << 24);
      pos += 4;
    }
    if ((nulls & 2) === 0) {
      let len = 0;
      let shift = 0;
      let b = 0;
      do {
        b = buf[pos++]!;
        len |= (b & 0x7f) << shift;
        shift += 7;
      } while (b & 0x80);
      pos += len;
    }
    if ((nulls & 4) === 0) pos += 8;
    if ((nulls & 8) === 0) pos += 8;
  }
}

const userIds = new Int32Array(rows);
const counts = new Float64Array(rows + 1);
function count(keys: Int32Array): number {
  const table = new IntKeyTable(1024);
  for (let i = 0; i < rows; i++) counts[table.find(keys[i]!)]! += 1;
  return table.size;
}
const columnarIds = (): Int32Array => (decodeColumnBlock(colBlock, types, rows, [true, false, false, false])[0] as { values: Int32Array }).values;

function time(label: string, f: () => void, reps = 30): void {
  for (let i = 0; i < 5; i++) f();
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < reps; i++) {
    const c = process.cpuUsage();
    f();
    const d = process.cpuUsage(c);
    best = Math.min(best, (d.user + d.system) / 1000);
  }
  console.log(`${label.padEnd(44)} ${best.toFixed(2).padStart(6)} ms per block = ${((best * 1e6) / rows).toFixed(1).padStart(5)} ns/row (best of ${reps})`);
}

console.log(`one block: ${rows} rows; row-major ${rowBlock.length} bytes, columnar ${colBlock.length} bytes`);
time('(b) row-major, decoded column-wise', () => decodeRowMajor(rowBlock, rows, userIds));
time('(a) columnar, the int32 section viewed', () => void columnarIds());
time('(b) + count in an IntKeyTable', () => {
  decodeRowMajor(rowBlock, rows, userIds);
  count(userIds);
});
time('(a) + count in an IntKeyTable', () => void count(columnarIds()));
