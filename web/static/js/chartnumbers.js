// Each chart's numbers on the page, for a keyboard and a screen reader (a chart's tooltips follow the mouse alone): under
// every Chart.js chart of the run, compare and group pages a "Numbers" disclosure holds a table of what the chart draws.
// One Chart.js plugin does it for every chart; a page puts each chart's box in a cell of its own (chartCell), where the
// numbers go under the box.
import { el, fmt, fmtAlike, readableNumbers, ordinal } from './api.js';

/** The rows a table shows at most: a longer series shows every k-th row from the first, and the last. */
const MOST_ROWS = 500;

// the titles of the charts whose numbers are open: a chart drawn anew (a live redraw destroys it and makes another)
// opens them again; the page keeps the focus on them with keepingFocus (api.js)
const opened = new Set();
// the title of a chart drawn anew -> where the box of its open numbers was scrolled: the new box is scrolled so too
const scrolled = new Map();
const disclosures = new WeakMap();   // chart -> its details

const titleOf = chart => {
  const t = chart.options.plugins.title;
  return t && t.text ? String(t.text) : 'untitled';
};
const axisTitle = (chart, axis) => {
  const t = chart.options.scales && chart.options.scales[axis] && chart.options.scales[axis].title;
  return t && t.text ? String(t.text) : '';
};

/**
 * A point's figure as the chart's tooltip says it: the value by fmt, a mean with its sd and n, an effect with its
 * interval's half-width, a divergence flag with its cause; none where the chart draws none (no number, or at or below
 * 0 on a log axis).
 */
function figure(dataset, point, j, log) {
  const y = point.y;
  if (typeof y !== 'number' || (log && y <= 0)) return '';
  const half = dataset.errors ? dataset.errors[j] : null;
  let text = typeof point.sd === 'number' ? `${fmtAlike([y, point.sd]).join(' ± ')} (n ${point.n})`
    : typeof half === 'number' ? fmtAlike([y, half]).join(' ± ') : fmt(y);
  if (point.cause) text += ` (${point.cause}: ${readableNumbers(point.detail)})`;
  return text;
}

/**
 * The table of what the chart draws: a row per x (the axis's value, or its category), a column per series shown, named
 * as in the legend (a ±sd band's edges are no series: a mean's cell says its sd). Above MOST_ROWS rows, every k-th
 * from the first and the last, as the caption says.
 */
function numbersTable(chart) {
  const title = titleOf(chart);
  // a category axis is in the order of its labels, a linear or log one in the order of its values (Chart.js gives every
  // chart labels, [] where it has none)
  const labels = chart.scales.x && chart.scales.x.type === 'category' ? chart.data.labels : null;
  const log = chart.options.scales && chart.options.scales.y && chart.options.scales.y.type === 'logarithmic';
  const series = chart.data.datasets.filter((d, i) => !d.band && chart.isDatasetVisible(i));
  const rows = new Map();   // x -> the figure of each series
  series.forEach((d, c) => d.data.forEach((p, j) => {
    const point = p !== null && typeof p === 'object' ? p : { x: labels ? labels[j] : j, y: p };
    if (!rows.has(point.x)) rows.set(point.x, []);
    // points of one series at the same x (flags of two causes at one epoch) are each drawn: each said
    const cells = rows.get(point.x);
    const text = figure(d, point, j, log);
    cells[c] = cells[c] && text ? `${cells[c]}; ${text}` : cells[c] || text;
  }));
  const xs = [...rows.keys()].sort(labels ? (a, b) => labels.indexOf(a) - labels.indexOf(b) : (a, b) => a - b);
  const every = Math.ceil(xs.length / MOST_ROWS);
  const shown = xs.filter((x, j) => j % every === 0 || j === xs.length - 1);
  const unit = axisTitle(chart, 'y');
  const caption = el('caption', { id: `numbers-${chart.id}` }, `${title}${unit ? ` (${unit})` : ''}`,
    every > 1 ? `: every ${ordinal(every)} of ${xs.length.toLocaleString('en')} rows, and the last` : '');
  const head = el('tr', {}, el('th', { scope: 'col' }, axisTitle(chart, 'x') || 'x'), ...series.map(d => el('th', { scope: 'col' }, d.label)));
  const body = shown.map(x => el('tr', {}, el('th', { scope: 'row' }, String(x)),
    ...series.map((d, c) => el('td', { class: 'num' }, rows.get(x)[c] || ''))));
  return el('table', { class: 'numbers', 'data-rows': xs.length, 'data-shown': shown.length }, caption, el('thead', {}, head), el('tbody', {}, ...body));
}

const chartNumbers = {
  id: 'chartNumbers',
  afterInit(chart) {
    const title = titleOf(chart);
    // a box that scrolls (a long or wide table): reached by Tab and named by its table's caption, so that the
    // keyboard scrolls it too; kept while the table in it is drawn again, and with it the focus and the scroll
    const wrap = el('div', { class: 'table-wrap numbers-wrap', role: 'region', tabindex: '0', 'aria-labelledby': `numbers-${chart.id}` });
    const details = el('details', { class: 'numbers', 'data-chart': title },
      el('summary', {}, 'Numbers', el('span', { class: 'visually-hidden' }, ` of ${title}`)), wrap);
    details.addEventListener('toggle', () => {
      if (!details.isConnected) return;          // its chart was drawn anew meanwhile
      if (details.open) {
        opened.add(title);
        if (!wrap.firstChild) wrap.append(numbersTable(chart));
      } else {
        opened.delete(title);
        wrap.replaceChildren();      // built again when opened: nothing kept up to date meanwhile
      }
    });
    details.open = opened.has(title);     // its table comes with the chart's first update, which follows at once
    details.scrolled = scrolled.get(title);
    scrolled.delete(title);
    disclosures.set(chart, details);
    chart.canvas.parentElement.after(details);
  },
  afterUpdate(chart, args) {
    const details = disclosures.get(chart);
    if (!details || !details.open || args.mode === 'resize') return;
    const wrap = details.lastChild;
    wrap.replaceChildren(numbersTable(chart));
    if (details.scrolled) [wrap.scrollTop, wrap.scrollLeft] = details.scrolled;
    details.scrolled = null;
  },
  afterDestroy(chart) {
    const details = disclosures.get(chart);
    if (!details) return;
    // as it is now: opened or closed just before (its toggle event not handled yet), the chart drawn anew keeps it so
    if (details.open) opened.add(details.dataset.chart); else opened.delete(details.dataset.chart);
    if (details.open) scrolled.set(details.dataset.chart, [details.lastChild.scrollTop, details.lastChild.scrollLeft]);
    details.remove();
  },
};
// the pages without charts load no Chart.js
if (typeof Chart !== 'undefined') Chart.register(chartNumbers);

/** A chart's box (attrs: its class, the size Chart.js draws in, the canvas alone in it) in a cell that takes its numbers under it. */
export function chartCell(canvas, attrs = { class: 'chart' }) {
  return el('div', { class: 'chart-cell' }, el('div', attrs, canvas));
}
