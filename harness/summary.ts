// The end-of-run summary printed to the terminal: per scenario × size each engine's median and its ratio to the
// fastest, failures shown by name (WRONG, TIMEOUT, OOM, ...), then the ranking and the details of every failure.
import type { BaselineComparison } from './baseline.ts';
import { PENALTY_FACTOR, RANK_CONSTANT_MS } from './ranking.ts';
import { interruptionText, type CellResult, type CellStatus, type RunResults } from './results.ts';
import { formatMs, formatRows } from './units.ts';

/**
 * The status in capitals as the summary shows it; `detailed` appends the reason, budget or diff.
 * @example statusLabel({ kind: 'timeout', budgetMs: 60_000 }) // 'TIMEOUT 60.0 s'
 */
export function statusLabel(status: CellStatus, detailed = false): string {
  switch (status.kind) {
    case 'ok':
      return 'ok';
    case 'wrong':
      return detailed ? `WRONG: ${status.diff.split('\n').join(' | ')}` : 'WRONG';
    case 'unsupported':
      return detailed ? `UNSUPPORTED: ${status.reason}` : 'UNSUPPORTED';
    case 'timeout':
      return `TIMEOUT ${formatMs(status.budgetMs)}`;
    case 'oom':
      return detailed ? `OOM: ${status.reason}` : 'OOM';
    case 'unavailable':
      return detailed ? `UNAVAILABLE: ${status.reason}` : 'UNAVAILABLE';
    case 'error':
      return detailed ? `ERROR: ${status.message}` : 'ERROR';
    default: {
      const never: never = status;
      return `unknown status ${JSON.stringify(never)}`;
    }
  }
}

function renderTable(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
}

/** One table over `cells`: a row per scenario × size, a column per engine (or variant). */
function cellTable(cells: readonly CellResult[]): string[] {
  const engines = [...new Set(cells.map((c) => c.engine))];
  const groups = new Map<string, CellResult[]>();
  for (const c of cells) {
    const key = `${c.scenario}\u0000${c.rows}`;
    groups.set(key, [...(groups.get(key) ?? []), c]);
  }
  const rows = [...groups.values()].map((group) => {
    const okMedians = group.filter((c) => c.status.kind === 'ok' && c.stats).map((c) => c.stats!.medianMs);
    const best = okMedians.length > 0 ? Math.min(...okMedians) : null;
    const cellsText = engines.map((e) => {
      const c = group.find((x) => x.engine === e);
      if (!c) return '-';
      if (c.status.kind !== 'ok') return statusLabel(c.status);
      if (!c.stats) return 'ok';
      const ratio = best !== null && best > 0 ? ` ×${(c.stats.medianMs / best).toFixed(2)}` : '';
      return `${formatMs(c.stats.medianMs)}${ratio}`;
    });
    return [group[0]!.scenario, formatRows(group[0]!.rows), ...cellsText];
  });
  return renderTable(['scenario', 'rows', ...engines], rows);
}

/**
 * A custom scenario's table turned on its side: a row per variant, a column per size (cdc-merge has 26 variants,
 * too many for one terminal line). Ratios are to the fastest variant at that size.
 */
function variantTable(cells: readonly CellResult[]): string[] {
  const sizes = [...new Set(cells.map((c) => c.rows))].sort((a, b) => a - b);
  const best = new Map(
    sizes.map((rows) => {
      const medians = cells.filter((c) => c.rows === rows && c.status.kind === 'ok' && c.stats).map((c) => c.stats!.medianMs);
      return [rows, medians.length > 0 ? Math.min(...medians) : null] as const;
    }),
  );
  const variants = [...new Set(cells.map((c) => c.engine))];
  const rows = variants.map((v) => [
    v,
    ...sizes.map((rows) => {
      const c = cells.find((x) => x.engine === v && x.rows === rows);
      if (!c) return '-';
      if (c.status.kind !== 'ok') return statusLabel(c.status);
      if (!c.stats) return 'ok';
      const b = best.get(rows);
      return `${formatMs(c.stats.medianMs)}${b ? ` ×${(c.stats.medianMs / b).toFixed(2)}` : ''}`;
    }),
  ]);
  return renderTable(['variant', ...sizes.map((n) => `${formatRows(n)} rows`)], rows);
}

/**
 * The whole summary as text.
 * @example process.stdout.write(formatSummary(results))
 */
export function formatSummary(results: RunResults): string {
  const out: string[] = results.interrupted ? [`Interrupted: ${interruptionText(results)}.`, ''] : [];
  const kindOf = new Map(results.scenarios.map((s) => [s.name, s.kind]));
  const queryCells = results.cells.filter((c) => kindOf.get(c.scenario) !== 'custom');
  if (queryCells.length > 0) {
    out.push('Median time per engine (×ratio to the fastest engine in the row):', ...cellTable(queryCells), '');
  }
  for (const s of results.scenarios.filter((x) => x.kind === 'custom')) {
    const cells = results.cells.filter((c) => c.scenario === s.name);
    if (cells.length > 0) out.push(`${s.name} (median of the scenario's timed operation per variant, ×ratio to the fastest):`, ...variantTable(cells), '');
  }
  if (results.ranking.length > 0) {
    out.push(
      `Ranking (ClickBench rule: geometric mean over scenario × size of (t + ${RANK_CONSTANT_MS} ms) / (best + ${RANK_CONSTANT_MS} ms);`,
      `a failed or wrong cell counts as ${PENALTY_FACTOR} × (budget + ${RANK_CONSTANT_MS} ms) / (best + ${RANK_CONSTANT_MS} ms); lower is better):`,
    );
    results.ranking.forEach((r, i) => {
      const pen = r.penalised > 0 ? `  (${r.penalised} penalised cell${r.penalised === 1 ? '' : 's'})` : '';
      out.push(`  ${String(i + 1).padStart(2)}. ${r.engine.padEnd(14)} ${r.score.toFixed(2)}${pen}`);
    });
    out.push('');
  }
  out.push(...timeSpent(results));
  const problems = results.cells.filter((c) => c.status.kind !== 'ok');
  if (problems.length > 0) {
    out.push('Cells without a trusted time:');
    for (const c of problems) out.push(`  ${c.engine} ${c.scenario} ${formatRows(c.rows)}: ${statusLabel(c.status, true)}`);
    out.push('');
  }
  return out.join('\n');
}

/**
 * Where the run's wall time went: the whole run, the cells (start-up, load and check included), per engine or
 * scenario family, and the slowest cells — what to drop or shrink when a run takes too long.
 */
function timeSpent(results: RunResults): string[] {
  const timed = results.cells.filter((c) => c.wallMs !== undefined);
  if (timed.length === 0) return [];
  const sum = (cells: readonly CellResult[]): number => cells.reduce((t, c) => t + c.wallMs!, 0);
  const runMs = Date.parse(results.finishedAt) - Date.parse(results.startedAt);
  const head = Number.isFinite(runMs) && runMs > 0 ? `${formatMs(runMs)} in total, ` : '';
  const totals = (keyOf: (c: CellResult) => string): string => {
    const by = new Map<string, number>();
    for (const c of timed) by.set(keyOf(c), (by.get(keyOf(c)) ?? 0) + c.wallMs!);
    const top = [...by].sort((a, b) => b[1] - a[1]);
    return top.slice(0, 8).map(([k, ms]) => `${k} ${formatMs(ms)}`).join(', ') + (top.length > 8 ? ', ...' : '');
  };
  const slowest = [...timed].sort((a, b) => b.wallMs! - a.wallMs!).slice(0, 5);
  return [
    `Where the run's time went (wall): ${head}${formatMs(sum(timed))} in ${timed.length} cell${timed.length === 1 ? '' : 's'} (start-up, load, every run and the check)`,
    `  by scenario: ${totals((c) => c.scenario)}`,
    // A custom scenario's variant is named engine/variant: count it to its engine.
    `  by engine: ${totals((c) => c.engine.split('/')[0]!)}`,
    `  slowest cells: ${slowest.map((c) => `${c.engine} ${c.scenario} ${formatRows(c.rows)} ${formatMs(c.wallMs!)}`).join(', ')}`,
    '',
  ];
}

/**
 * The baseline comparison as text: every change, marking those beyond the noise.
 * @example if (results.baseline) process.stdout.write(formatBaseline(results.baseline))
 */
export function formatBaseline(b: BaselineComparison): string {
  const out = [`Compared with ${b.file} (run of ${b.baselineStartedAt}); "beyond noise" = 95% confidence intervals do not overlap:`];
  for (const c of b.changes) {
    const sign = c.changePct >= 0 ? '+' : '';
    const verdict = c.beyondNoise ? (c.changePct < 0 ? 'FASTER (beyond noise)' : 'SLOWER (beyond noise)') : 'within noise';
    out.push(`  ${c.engine} ${c.scenario} ${formatRows(c.rows)}: ${formatMs(c.baselineMedianMs)} → ${formatMs(c.medianMs)} (${sign}${c.changePct.toFixed(1)}%) ${verdict}`);
  }
  for (const s of b.statusChanges) out.push(`  ${s.engine} ${s.scenario} ${formatRows(s.rows)}: status ${s.from} → ${s.to}`);
  if (b.unmatched > 0) out.push(`  ${b.unmatched} cell(s) not in the baseline`);
  if (b.changes.length === 0 && b.statusChanges.length === 0) out.push('  no matching cells');
  return `${out.join('\n')}\n`;
}
