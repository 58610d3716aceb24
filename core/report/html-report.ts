/**
 * Writes a report as ONE self-contained HTML file: no network when opened. Tables and confusion
 * matrices are plain HTML; charts are drawn by Chart.js (MIT, pinned in package.json), whose UMD
 * build is inlined. The data travels as JSON in the page; a small script draws every chart with
 * animation off and sets `window.visageChartsDrawn` to the number of charts drawn.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import * as errors from '../errors/messages.ts';
import type { ConfusionMatrix, ReportData, Table } from './report-model.ts';

let chartJs: string | undefined;

/** The Chart.js UMD bundle, read from node_modules (the package's `exports` hide the file from import). */
function chartLibrary(): string {
  chartJs ??= readFileSync(path.join(path.dirname(createRequire(import.meta.url).resolve('chart.js')), 'chart.umd.min.js'), 'utf8');
  return chartJs;
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
/** Inline script text must never contain `</script`. */
const scriptSafe = (s: string) => s.replace(/<\/(script)/gi, '<\\/$1');

export function renderHtmlReport(data: ReportData): string {
  const charts = { bars: data.bars, lines: data.lines, xy: data.xy ?? [], au: (data.clips?.rows ?? []).map((r) => r.au ?? null) };
  const json = JSON.stringify(charts).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(data.title)}</title>
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'; script-src 'unsafe-inline'">
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222;max-width:1200px}
h1{font-size:22px}h2{font-size:17px;margin-top:28px;border-bottom:1px solid #ddd}
table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}th{background:#f4f4f4}
td:first-child,th:first-child{text-align:left}.cm td{min-width:38px;text-align:center}
.chart{position:relative;width:820px;height:260px;margin:10px 0}.au{width:420px;height:170px}.square{width:520px;height:480px}
.matrices{display:flex;flex-wrap:wrap;gap:24px}img{display:block}.clips td{text-align:left}
</style></head><body>
<h1>${esc(data.title)}</h1>${data.subtitle ? `<p>${esc(data.subtitle)}</p>` : ''}
${data.tables.map(table).join('\n')}
${data.bars.length ? `<h2>Charts</h2>${data.bars.map((b, i) => `<div class="chart"><canvas data-chart="bar" data-index="${i}" aria-label="${esc(b.title)}"></canvas></div>`).join('\n')}` : ''}
${data.lines.map((l, i) => `<div class="chart"><canvas data-chart="line" data-index="${i}" aria-label="${esc(l.title)}"></canvas></div>`).join('\n')}
${(data.xy ?? []).map((c, i) => `<div class="chart square"><canvas data-chart="xy" data-index="${i}" aria-label="${esc(c.title)}"></canvas></div>`).join('\n')}
${data.confusions.length ? `<h2>Confusion matrices</h2><div class="matrices">${data.confusions.map(confusion).join('\n')}</div>` : ''}
${data.clips ? clipTable(data.clips) : ''}
<script>${scriptSafe(chartLibrary())}</script>
<script type="application/json" id="report-data">${json}</script>
<script>${scriptSafe(DRAW_SCRIPT)}</script>
</body></html>
`;
}

export function writeHtmlReport(file: string, data: ReportData): void {
  try {
    writeFileSync(file, renderHtmlReport(data));
  } catch (e) {
    throw errors.reportWriteFailed(file, (e as Error).message);
  }
}

function table(t: Table): string {
  return `<h2>${esc(t.title)}</h2><table><tr>${t.headers.map((h) => `<th>${esc(h)}</th>`).join('')}</tr>${t.rows.map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`).join('')}</table>`;
}

/** Cells shaded by the share of their true class (row), so classes of any size read alike. */
function confusion(m: ConfusionMatrix): string {
  const head = `<tr><th>true \\ predicted</th>${m.classes.map((c) => `<th>${esc(c)}</th>`).join('')}</tr>`;
  const rows = m.matrix.map((row, t) => {
    const n = row.reduce((a, b) => a + b, 0) || 1;
    return `<tr><th>${esc(m.classes[t])}</th>${row.map((v, p) => {
      const a = v / n;
      const colour = p === t ? `rgba(30,120,60,${a.toFixed(3)})` : `rgba(200,50,40,${a.toFixed(3)})`;
      return `<td style="background:${colour}">${v}</td>`;
    }).join('')}</tr>`;
  });
  return `<div><h3>${esc(m.title)}</h3><table class="cm">${head}${rows.join('')}</table></div>`;
}

function clipTable(c: NonNullable<ReportData['clips']>): string {
  const rows = c.rows.map((r, i) => `<tr><td>${r.thumbnail ? `<img src="${r.thumbnail}" alt="clip" width="96">` : ''}</td>${r.cells.map((x) => `<td>${esc(x)}</td>`).join('')}<td>${r.au ? `<div class="chart au"><canvas data-chart="au" data-index="${i}" aria-label="action units"></canvas></div>` : ''}</td></tr>`);
  return `<h2>${esc(c.title)}</h2><table class="clips"><tr><th>clip</th>${c.headers.map((h) => `<th>${esc(h)}</th>`).join('')}<th>action units over frames</th></tr>${rows.join('')}</table>`;
}

/** Runs in the page: draws every canvas from the embedded JSON. */
const DRAW_SCRIPT = `
(function () {
  var data = JSON.parse(document.getElementById('report-data').textContent);
  var palette = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf', '#393b79', '#637939', '#8c6d31'];
  Chart.defaults.animation = false;
  Chart.defaults.maintainAspectRatio = false;
  var drawn = 0;
  document.querySelectorAll('canvas[data-chart]').forEach(function (canvas) {
    var kind = canvas.getAttribute('data-chart');
    var spec = data[kind === 'bar' ? 'bars' : kind === 'line' ? 'lines' : kind === 'xy' ? 'xy' : 'au'][Number(canvas.getAttribute('data-index'))];
    var config;
    if (kind === 'bar') {
      var sets = [{ label: spec.xLabel, data: spec.values, backgroundColor: spec.values.map(function (v) { return v >= 0 ? '#2b7bba' : '#c8452d'; }) }];
      if (spec.low) sets.push({ label: '95% interval', data: spec.low.map(function (l, i) { return [l, spec.high[i]]; }), backgroundColor: 'rgba(0,0,0,0.25)', barPercentage: 0.25 });
      config = { type: 'bar', data: { labels: spec.labels, datasets: sets }, options: { indexAxis: 'y', plugins: { title: { display: true, text: spec.title } }, scales: { x: { title: { display: true, text: spec.xLabel } } } } };
    } else if (kind === 'line') {
      config = { type: 'line', data: { labels: spec.x, datasets: spec.series.map(function (s, i) { return { label: s.name, data: s.values, borderColor: palette[i % palette.length], pointRadius: 2 }; }) }, options: { plugins: { title: { display: true, text: spec.title } }, scales: { x: { title: { display: true, text: spec.xLabel } }, y: { title: { display: true, text: spec.yLabel } } } } };
    } else if (kind === 'xy') {
      config = { type: 'scatter', data: { datasets: spec.series.map(function (s, i) { return { label: s.name, data: s.points.map(function (p) { return { x: p[0], y: p[1] }; }), borderColor: palette[i % palette.length], backgroundColor: palette[i % palette.length], showLine: true, pointRadius: 0, borderWidth: 2 }; }) }, options: { plugins: { title: { display: true, text: spec.title } }, scales: { x: { min: 0, max: 1, title: { display: true, text: spec.xLabel } }, y: { min: 0, max: 1, title: { display: true, text: spec.yLabel } } } } };
    } else {
      var frames = spec.intensity[spec.aus[0]].map(function (_, i) { return i; });
      config = { type: 'line', data: { labels: frames, datasets: spec.aus.map(function (au, i) { return { label: au, data: spec.intensity[au], borderColor: palette[i % palette.length], pointRadius: 0, borderWidth: 1 }; }) }, options: { plugins: { legend: { labels: { boxWidth: 8, font: { size: 9 } } } }, scales: { x: { title: { display: true, text: 'frame' } }, y: { title: { display: true, text: 'intensity' } } } } };
    }
    new Chart(canvas, config);
    drawn++;
  });
  window.visageChartsDrawn = drawn;
})();
`;
