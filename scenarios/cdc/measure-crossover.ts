// Measure the merge-vs-reload crossover outside the bench, at any size, for the README's figures:
//   npx tsx scenarios/cdc/measure-crossover.ts --rows 100000,1000000 --samples 5 --variants duckdb/merge-hard-delete,duckdb/truncate-reload
// Prints one line per variant and size: median ms per batch at each change fraction (and rows written), then where
// each merge crosses the first truncate-reload variant listed.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CHANGE_FRACTIONS, describeCrossover, measureCrossover, type CrossoverPoint } from './merge-scenario.ts';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}

const sizes = arg('rows', '100000').split(',').map(Number);
const samples = Number(arg('samples', '5'));
const variants = arg('variants', 'duckdb/merge-hard-delete,duckdb-sql/merge-hard-delete,duckdb/truncate-reload').split(',');
const threads = arg('threads', '');
const options: Record<string, number> = threads ? { threads: Number(threads) } : {};
if (sizes.some((n) => !Number.isInteger(n) || n < 1) || !Number.isInteger(samples) || samples < 1) {
  process.stderr.write('usage: measure-crossover.ts [--rows N[,N..]] [--samples N] [--variants engine/pattern,..] [--threads N]\n');
  process.exit(2);
}
process.stdout.write(`change %: ${CHANGE_FRACTIONS.map((f) => f * 100).join(' | ')}  (median ms per batch over ${samples} batches [rows written])\n`);
for (const rows of sizes) {
  const lines = new Map<string, CrossoverPoint[]>();
  for (const variant of variants) {
    const workDir = mkdtempSync(join(tmpdir(), 'enginebench-crossover-'));
    try {
      const points = await measureCrossover(variant, rows, { workDir, seed: 42, now: () => performance.now(), options }, samples);
      process.stdout.write(`${rows} ${variant}: ${points.map((p) => `${p.medianMs.toFixed(1)} [${p.medianWritten}]`).join(' | ')}\n`);
      lines.set(variant, points);
    } finally {
      rmSync(workDir, { recursive: true, force: true });
    }
  }
  const reload = [...lines.keys()].find((v) => v.endsWith('/truncate-reload'));
  for (const [variant, points] of lines) {
    if (reload && variant !== reload) process.stdout.write(`${rows} ${variant} vs ${reload}: ${describeCrossover(points, lines.get(reload)!)}\n`);
  }
}
