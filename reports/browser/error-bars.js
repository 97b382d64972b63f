// Browser side, inlined into the report after Chart.js: a Chart.js plugin drawing confidence-interval whiskers on
// vertical bar charts (Chart.js has no error bars built in). A dataset opts in with `errorBars: [[low, high], ...]`
// aligned with its `data`; values are in the units of the value axis.
'use strict';

// eslint-disable-next-line no-unused-vars
const enginebenchErrorBars = {
  id: 'enginebenchErrorBars',
  afterDatasetsDraw(chart) {
    const ctx = chart.ctx;
    const area = chart.chartArea;
    ctx.save();
    // A CI can reach below zero (few, spread samples); whiskers stay inside the plot instead of over the labels.
    ctx.beginPath();
    ctx.rect(area.left, area.top, area.right - area.left, area.bottom - area.top);
    ctx.clip();
    chart.data.datasets.forEach((dataset, i) => {
      if (!Array.isArray(dataset.errorBars)) return;
      const meta = chart.getDatasetMeta(i);
      if (meta.hidden) return;
      const scale = chart.scales[meta.yAxisID];
      meta.data.forEach((bar, j) => {
        const range = dataset.errorBars[j];
        if (!Array.isArray(range) || !Number.isFinite(range[0]) || !Number.isFinite(range[1])) return;
        const top = scale.getPixelForValue(range[1]);
        // A log axis has no place for a low end at or below zero: the whisker runs to the bottom of the plot.
        const bottom = range[0] > 0 || scale.type !== 'logarithmic' ? scale.getPixelForValue(range[0]) : area.bottom;
        const half = Math.max(3, Math.min(10, bar.width * 0.25));
        ctx.strokeStyle = '#1a1a1a';
        ctx.lineWidth = 1.5;
        ctx.beginPath();
        ctx.moveTo(bar.x, top);
        ctx.lineTo(bar.x, bottom);
        ctx.moveTo(bar.x - half, top);
        ctx.lineTo(bar.x + half, top);
        ctx.moveTo(bar.x - half, bottom);
        ctx.lineTo(bar.x + half, bottom);
        ctx.stroke();
      });
    });
    ctx.restore();
  },
};
