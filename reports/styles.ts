// The report's stylesheet: readable on screen, compact and unbroken when printed. Inlined; no web fonts or images.

export const REPORT_CSS = `
:root { --fg: #1d1d1f; --muted: #5f6368; --rule: #d9dce1; --bg-alt: #f6f7f9; --ok: #1e7b34; --bad: #b00020; --warn: #8a5a00; }
* { box-sizing: border-box; }
html { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: var(--fg); }
body { margin: 0 auto; max-width: 1280px; padding: 24px 28px 64px; }
h1 { font-size: 1.9rem; margin: 0 0 4px; }
h2 { font-size: 1.4rem; margin: 2.2rem 0 .3rem; padding-top: .6rem; border-top: 2px solid var(--fg); }
h3 { font-size: 1.08rem; margin: 1.4rem 0 .4rem; }
h2 small, h3 small { font-weight: normal; color: var(--muted); font-size: .8rem; margin-left: .5rem; }
p { margin: .4rem 0 .8rem; max-width: 80ch; }
code, pre, .num { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, "Liberation Mono", monospace; font-size: .85rem; }
pre { background: var(--bg-alt); border: 1px solid var(--rule); padding: 8px 10px; overflow-x: auto; white-space: pre-wrap; word-break: break-word; }
.muted { color: var(--muted); }
.env { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: .6rem 0; }
.env dt { color: var(--muted); }
.env dd { margin: 0; }
table { border-collapse: collapse; margin: .4rem 0 1rem; font-size: .88rem; width: 100%; }
th, td { border-bottom: 1px solid var(--rule); padding: 4px 6px; text-align: left; vertical-align: top; }
th { background: var(--bg-alt); font-weight: 600; }
td.num, th.num { text-align: right; white-space: nowrap; }
.status { font-weight: 700; white-space: nowrap; }
.status-ok { color: var(--ok); }
.status-wrong, .status-error, .status-oom, .status-timeout { color: var(--bad); }
.status-unsupported, .status-unavailable { color: var(--warn); }
.reason { display: block; font-weight: normal; color: var(--fg); white-space: normal; max-width: 36ch; }
pre.diff { margin: 2px 0 4px; max-height: 16em; font-size: .78rem; }
tr[data-status="wrong"] td { border-bottom: none; }
tr.diff-row td { border-top: none; padding-top: 0; }
.table-scroll { overflow-x: auto; }
.nowrap { white-space: nowrap; }
.metrics { margin: 0; padding: 0; list-style: none; font-size: .8rem; }
.metrics { min-width: 13em; }
.metrics li { overflow-wrap: anywhere; }
.metrics .k { color: var(--muted); }
.notes { margin: 2px 0 0; padding-left: 1.1em; font-size: .8rem; white-space: normal; }
.score-bar { display: inline-block; height: .7em; background: #4e79a7; vertical-align: middle; margin-right: 6px; }
.matrix td.ratio { text-align: right; font-family: ui-monospace, Menlo, Consolas, monospace; }
.delta-faster { color: var(--ok); }
.delta-slower { color: var(--bad); }
.chart-box { position: relative; width: 100%; height: 320px; margin: .6rem 0 1rem; }
.chart-box canvas { max-width: 100%; }
nav.toc ul { columns: 2; padding-left: 1.2em; }
footer { margin-top: 3rem; color: var(--muted); font-size: .8rem; }
@media print {
  html { font-size: 11px; }
  body { max-width: none; padding: 0; }
  h2 { break-after: avoid; }
  h3 { break-after: avoid; }
  .chart-box, table, tr, pre { break-inside: avoid; }
  .table-scroll { overflow: visible; }
  a { color: inherit; text-decoration: none; }
}
`;
