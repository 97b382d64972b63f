// The terminal progress display: on a TTY a live line (cell i/n, engine, scenario, size, elapsed) redrawn while a
// cell runs, with one permanent line per finished cell above it; elsewhere (CI logs, pipes) only the finished lines.
import type { CellResult } from './results.ts';
import { statusLabel } from './summary.ts';
import { formatMs, formatRows } from './units.ts';

export interface CellLabel {
  readonly engine: string;
  readonly scenario: string;
  readonly rows: number;
}

export interface ProgressSink {
  write(text: string): unknown;
  readonly isTTY?: boolean;
  /** Terminal width; the live line is cut to it, since a wrapped line cannot be redrawn with \r. */
  readonly columns?: number;
}

/**
 * Progress of one run. `now` is injected so tests can drive it; the redraw timer is unref'd.
 * @example
 *   const progress = new Progress(process.stderr, () => performance.now());
 *   progress.start(12); progress.cellStarted(0, cell); progress.cellFinished(0, cell, result); progress.stop();
 */
export class Progress {
  private total = 0;
  private current: { index: number; label: CellLabel; startedAt: number } | null = null;
  private timer: NodeJS.Timeout | null = null;
  private widths = { engine: 12, scenario: 20 };
  private readonly live: boolean;

  constructor(
    private readonly out: ProgressSink,
    private readonly now: () => number,
    live?: boolean,
  ) {
    this.live = live ?? out.isTTY === true;
  }

  /** `labels`: every cell of the run, so the columns of the finished lines line up. */
  start(total: number, labels: readonly CellLabel[] = []): void {
    this.total = total;
    for (const l of labels) {
      this.widths.engine = Math.max(this.widths.engine, l.engine.length);
      this.widths.scenario = Math.max(this.widths.scenario, l.scenario.length);
    }
    if (this.live) {
      this.timer = setInterval(() => this.redraw(), 250);
      this.timer.unref();
    }
  }

  cellStarted(index: number, label: CellLabel): void {
    this.current = { index, label, startedAt: this.now() };
    this.redraw();
  }

  cellFinished(index: number, label: CellLabel, result: CellResult): void {
    this.clearLine();
    this.current = null;
    this.out.write(`${this.prefix(index, label)}  ${finishedText(result)}\n`);
  }

  /** A message that is not a cell (e.g. "generating retail 1m"), printed above the live line. */
  note(text: string): void {
    this.clearLine();
    this.out.write(`${text}\n`);
    this.redraw();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.clearLine();
  }

  private prefix(index: number, label: CellLabel): string {
    const width = String(this.total).length;
    return `[${String(index + 1).padStart(width)}/${this.total}] ${label.engine.padEnd(this.widths.engine)} ${label.scenario.padEnd(this.widths.scenario)} ${formatRows(label.rows).padStart(5)}`;
  }

  private redraw(): void {
    if (!this.live || !this.current) return;
    const { index, label, startedAt } = this.current;
    const line = `${this.prefix(index, label)}  running ${formatMs(this.now() - startedAt)}`;
    this.out.write(`\r\x1b[2K${this.out.columns ? line.slice(0, this.out.columns - 1) : line}`);
  }

  private clearLine(): void {
    if (this.live) this.out.write('\r\x1b[2K');
  }
}

/** What a finished cell's line says after its label. */
export function finishedText(r: CellResult): string {
  if (r.status.kind !== 'ok') return statusLabel(r.status, true);
  const parts: string[] = [];
  if (r.stats) parts.push(`median ${formatMs(r.stats.medianMs)} (${r.stats.samplesMs.length} runs)`);
  if (r.coldMs !== undefined) parts.push(`cold ${formatMs(r.coldMs)}`);
  if (r.loadMs !== undefined) parts.push(`load ${formatMs(r.loadMs)}`);
  return `ok  ${parts.join(', ')}`;
}
