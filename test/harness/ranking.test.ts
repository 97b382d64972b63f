// The ClickBench ranking: ratios with the 10 ms constant, the failure penalty, skipped groups and unavailable cells.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { PENALTY_FACTOR, rankEngines, type RankableCell } from '../../harness/ranking.ts';
import type { CellStatus } from '../../harness/results.ts';
import { summarise } from '../../harness/stats.ts';

const ok = (scenario: string, engine: string, medianMs: number, rows = 100): RankableCell => ({
  scenario, engine, rows, budgetMs: 1000, status: { kind: 'ok' }, stats: summarise([medianMs]),
});
const failed = (scenario: string, engine: string, status: CellStatus, rows = 100): RankableCell => ({
  scenario, engine, rows, budgetMs: 1000, status,
});

test('ratio is (t + 10 ms) / (best + 10 ms) and the score their geometric mean', () => {
  const ranking = rankEngines([ok('q1', 'a', 10), ok('q1', 'b', 30), ok('q2', 'a', 90), ok('q2', 'b', 40)]);
  // a: q1 1, q2 100/50 = 2 → √2; b: q1 40/20 = 2, q2 1 → √2. Tie → by name.
  assert.deepEqual(ranking.map((r) => r.engine), ['a', 'b']);
  assert.ok(Math.abs(ranking[0]!.score - Math.SQRT2) < 1e-12);
  assert.ok(Math.abs(ranking[1]!.score - Math.SQRT2) < 1e-12);
  assert.deepEqual(ranking.map((r) => r.penalised), [0, 0]);
});

test('wrong, timeout, oom, unsupported and error cells count as 2 × (budget + 10) / (best + 10)', () => {
  const statuses: CellStatus[] = [
    { kind: 'wrong', diff: 'row 1 differs' },
    { kind: 'timeout', budgetMs: 1000 },
    { kind: 'oom', reason: 'heap' },
    { kind: 'unsupported', reason: 'no udf' },
    { kind: 'error', message: 'boom' },
  ];
  for (const status of statuses) {
    const [best, bad] = rankEngines([ok('q', 'fast', 0), failed('q', 'bad', status)]);
    assert.equal(best!.engine, 'fast');
    assert.equal(best!.score, 1);
    assert.equal(bad!.engine, 'bad');
    assert.equal(bad!.penalised, 1);
    assert.ok(Math.abs(bad!.score - (PENALTY_FACTOR * (1000 + 10)) / 10) < 1e-9, status.kind);
  }
});

test('a wrong cell ranks behind a slow but correct one, even one that is faster in time', () => {
  const slowCorrect = ok('q', 'slow', 900);
  const wrongButFast: RankableCell = { ...ok('q', 'fast-wrong', 1), status: { kind: 'wrong', diff: 'x' } };
  const ranking = rankEngines([ok('q', 'ref', 5), slowCorrect, wrongButFast]);
  assert.deepEqual(ranking.map((r) => r.engine), ['ref', 'slow', 'fast-wrong']);
});

test('unavailable cells are not ranked; groups without any success are skipped', () => {
  const ranking = rankEngines([
    ok('q', 'a', 10),
    failed('q', 'down', { kind: 'unavailable', reason: 'no server' }),
    failed('all-failed', 'a', { kind: 'error', message: 'x' }),
    failed('all-failed', 'b', { kind: 'timeout', budgetMs: 1000 }),
  ]);
  assert.deepEqual(ranking, [{ engine: 'a', score: 1, penalised: 0 }]);
});

test('sizes are separate groups', () => {
  const ranking = rankEngines([ok('q', 'a', 10, 100), ok('q', 'b', 20, 100), ok('q', 'a', 50, 1000), ok('q', 'b', 30, 1000)]);
  const a = ranking.find((r) => r.engine === 'a')!;
  // a: 1 at 100 rows, 60/40 = 1.5 at 1000 rows
  assert.ok(Math.abs(a.score - Math.sqrt(1.5)) < 1e-12);
});

test('the fastest engine in every group scores exactly 1 and nobody scores below 1', () => {
  fc.assert(
    fc.property(fc.array(fc.array(fc.double({ min: 0, max: 1e4, noNaN: true }), { minLength: 3, maxLength: 3 }), { minLength: 1, maxLength: 6 }), (groups) => {
      const cells = groups.flatMap((times, g) => times.map((t, e) => ok(`q${g}`, `e${e}`, t)));
      const ranking = rankEngines(cells);
      for (const r of ranking) assert.ok(r.score >= 1 - 1e-9);
      const dominant = [0, 1, 2].find((e) => groups.every((times) => times[e] === Math.min(...times)));
      if (dominant !== undefined) assert.ok(Math.abs(ranking.find((r) => r.engine === `e${dominant}`)!.score - 1) < 1e-9);
    }),
  );
});
