// Browser side, inlined into the report after Chart.js and error-bars.js: reads the chart specifications from the
// JSON script block #enginebench-charts (built by reports/charts.ts) and draws each on the canvas of the same id. All decisions about what to plot were made in Node; this file only maps specs to Chart.js.
'use strict';

(() => {
  const specs = JSON.parse(document.getElementById('enginebench-charts').textContent);
  // WARNING: no animation, so a chart is fully drawn when its constructor returns (printing and the browser test
  // read the pixels right away).
  Chart.defaults.animation = false;
  Chart.defaults.font.family = 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
  Chart.defaults.color = '#222';

  const ms = (v) => {
    if (!Number.isFinite(v)) return String(v);
    if (Math.abs(v) >= 1000) return (v / 1000).toPrecision(3) + ' s';
    return v.toPrecision(3) + ' ms';
  };
  // Log axes label only 1, 2 and 5 times a power of ten, compactly (1k, 20k, 5M): Chart.js's default crowds them.
  const compact = new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 2 });
  const labelled = (value) => {
    const mantissa = value / 10 ** Math.floor(Math.log10(value) + 1e-9);
    return [1, 2, 5].some((m) => Math.abs(mantissa - m) < 1e-6);
  };
  const logTicks = { autoSkip: false, callback: (value) => (labelled(value) ? compact.format(value) : '') };
  // Grid lines only at the labelled ticks: one per unlabelled tick (3, 4, 6, 7, ...) hatched the plot.
  const logGrid = { color: (ctx) => (ctx.tick && labelled(ctx.tick.value) ? 'rgba(0, 0, 0, 0.1)' : 'transparent') };
  const logAxis = (text, extra) => ({ type: 'logarithmic', title: axisTitle(text), ticks: logTicks, grid: logGrid, ...extra });
  const axis = (log, text) => (log ? logAxis(text) : { type: 'linear', title: axisTitle(text) });
  const title = (text) => ({ display: true, text, font: { size: 14, weight: 'bold' } });
  const axisTitle = (text) => ({ display: true, text });
  const base = (spec) => ({
    responsive: true,
    maintainAspectRatio: false,
    animation: false,
    plugins: { title: title(spec.title) },
  });

  const configs = {
    bars(spec) {
      const options = base(spec);
      options.plugins.legend = { display: false };
      options.plugins.tooltip = {
        callbacks: {
          label: (item) => `median ${ms(spec.medians[item.dataIndex])} (95% CI ${ms(spec.ciLow[item.dataIndex])}–${ms(spec.ciHigh[item.dataIndex])})`,
        },
      };
      options.scales = {
        // Medians spanning over 100× get a log axis (charts.ts decides), else the fast engines' bars vanish.
        y: spec.yLog
          ? logAxis('median time (ms, log scale)', { suggestedMax: Math.max(...spec.ciHigh, ...spec.medians) * 1.5 })
          : { beginAtZero: true, suggestedMax: Math.max(...spec.ciHigh, ...spec.medians) * 1.05, title: axisTitle('median time (ms)') },
        x: { title: axisTitle('engine') },
      };
      return {
        type: 'bar',
        data: {
          labels: spec.labels,
          datasets: [{
            label: 'median time (ms)',
            data: spec.medians,
            backgroundColor: spec.colours,
            errorBars: spec.medians.map((_, i) => [spec.ciLow[i], spec.ciHigh[i]]),
          }],
        },
        options,
        plugins: [enginebenchErrorBars],
      };
    },
    scaling(spec) {
      const options = base(spec);
      options.scales = { x: axis(true, 'rows'), y: axis(true, 'median time (ms)') };
      options.plugins.tooltip = { callbacks: { label: (item) => `${item.dataset.label}: ${ms(item.parsed.y)} at ${item.parsed.x.toLocaleString('en-US')} rows` } };
      return { type: 'line', data: { datasets: spec.lines.map(lineDataset) }, options };
    },
    series(spec) {
      const options = base(spec);
      options.scales = { x: axis(spec.xLog, spec.xTitle), y: axis(spec.yLog, spec.yTitle) };
      return { type: 'line', data: { datasets: spec.lines.map(lineDataset) }, options };
    },
    timeline(spec) {
      const options = base(spec);
      options.indexAxis = 'y';
      options.scales = {
        x: { type: 'linear', beginAtZero: true, title: axisTitle('ms since the run started') },
        y: { type: 'category', labels: spec.slots, title: axisTitle('worker slot') },
      };
      options.plugins.tooltip = {
        callbacks: {
          label: (item) => {
            const s = item.raw;
            return `${item.dataset.label} / ${s.task} (attempt ${s.attempt}, ${s.status}): ${ms(s.x[0])}–${ms(s.x[1])}`;
          },
        },
      };
      return {
        type: 'bar',
        data: {
          labels: spec.slots,
          datasets: spec.groups.map((g) => ({
            label: g.label,
            data: g.spans,
            backgroundColor: g.colour,
            // Failed and killed attempts get a red outline so retries stand out.
            borderColor: (c) => (c.raw && c.raw.status !== 'ok' ? '#b00020' : g.colour),
            borderWidth: (c) => (c.raw && c.raw.status !== 'ok' ? 2 : 0),
            borderSkipped: false,
            // WARNING: spans of different groups on one slot must share its row, not be dodged side by side.
            grouped: false,
            barPercentage: 0.9,
            categoryPercentage: 0.9,
          })),
        },
        options,
      };
    },
  };

  function lineDataset(line) {
    return {
      label: line.label,
      data: line.points,
      borderColor: line.colour,
      backgroundColor: line.colour,
      pointRadius: 3,
      borderWidth: 2,
      showLine: true,
    };
  }

  const charts = specs.map((spec) => {
    const canvas = document.getElementById(spec.id);
    const make = configs[spec.kind];
    if (!canvas || !make) throw new Error(`report: cannot draw chart ${spec.id} of kind ${spec.kind}`);
    return new Chart(canvas, make(spec));
  });
  // Charts size themselves to their box; printing changes the box, so redraw around it.
  window.addEventListener('beforeprint', () => charts.forEach((c) => c.resize()));
  window.addEventListener('afterprint', () => charts.forEach((c) => c.resize()));
  document.documentElement.dataset.chartsRendered = String(charts.length);
})();
