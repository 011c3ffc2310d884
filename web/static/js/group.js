// The group page: a sweep or ladder as one table (rows: runs; columns: swept or changed keys, final figures, latest
// filter measures; the first columns stay put while the table scrolls sideways inside its box), each run's last weight
// snapshot large enough to read (click: full size), and for a sweep a chart of every final figure and filter measure
// against each swept key, plus parallel coordinates when 3 or more keys were swept. Live while runs are queued or running.
// With replicates (runs that differ only by seed, the API's points): a table of each point's mean ± sd and 95% interval,
// sweep charts that draw each line as the mean with a shaded ±sd band, and for a ladder each step's effect (the change
// of the means from the step before) with its 95% interval as error bars.
import { getJson, el, fmt, fmtAlike, lossCell, statusBadge, isRunId, runPath, live, throttle, oneAtATime, band, DASHES, COLORS, stepWords, logAxis, keepingFocus, dialog, say, replayingText, ENDED } from './api.js';
import { MEASURES, measureTitle, measureCell, meaningless } from './measures.js';
import { chartCell } from './chartnumbers.js';

const name = new URLSearchParams(location.search).get('name') || '';
// [key, label] of the figures the sweep charts draw
const FINAL = [['loss', 'final loss'], ['heldout', 'final held-out error'], ['meanActivation', 'final mean activation']];
// [key, label] of every figure the charts and the points table show
const FIGURES = [...FINAL, ...MEASURES.map(([k, label]) => [k, label])];

function head(g) {
  const cols = [];
  if (g.kind === 'ladder') cols.push('step', 'change');
  cols.push('run', 'status');
  const after = ['progress', 'loss', 'held-out', 'mean act.'];
  // the headings wrap, between words, and a key's name also where its words meet (weight|Decay), so that a ladder's
  // table fits a 1400 px window
  return el('tr', {}, ...cols.map(c => el('th', {}, c)), ...g.keys.map(k => el('th', {}, ...camelBreaks(k))),
    ...after.map(c => el('th', {}, ...heading(c))),
    ...MEASURES.map(([k, , short]) => el('th', { title: measureTitle(k), 'data-measure': k }, ...heading(short))));
}

/** A key's name with a place to break where its words meet (weightDecay: weight, a break, Decay); its text unchanged. */
const camelBreaks = key => key.split(/(?<=[a-z])(?=[A-Z])/).flatMap((part, i) => (i ? [el('wbr'), part] : [part]));

const runLink = id => (isRunId(id) ? el('a', { href: `/run.html?id=${encodeURIComponent(id)}` }, id) : id);

function row(g, r) {
  const cells = [];
  if (g.kind === 'ladder') {
    cells.push(el('td', { class: 'num' }, r.step));
    // a change per line (a step of two keys is two lines, not one long one)
    const change = r.changes.length
      ? r.changes.map((c, i) => el('div', {}, `${c.key}: ${c.from ?? ''} → ${c.to ?? ''}${i < r.changes.length - 1 ? ',' : ''}`))
      : [r.step === 0 ? `= ${g.from}` : ''];
    // a step that left the asked order (moved ahead, or merged with the next key): a mark here, its reason under the table
    cells.push(el('td', { class: 'change', title: r.note || '' }, ...change, r.note ? el('span', { class: 'muted', 'aria-hidden': 'true' }, ' *') : null,
      r.note ? el('span', { class: 'visually-hidden' }, ` (${r.note})`) : null));
  }
  const v = r.run;
  const st = el('td', {}, statusBadge(v.status), v.divergedEpoch ? el('span', { class: 'muted' }, ` @${v.divergedEpoch}`) : null);
  if (v.error) st.title = v.error;
  cells.push(el('td', {}, runLink(v.runId)), st);
  for (const k of g.keys) {
    const changed = r.changes.some(c => c.key === k);
    cells.push(el('td', { class: changed ? 'num changed' : 'num', 'data-key': k }, r.values[k] ?? ''));
  }
  // a resumed or taken-over run whose trainer trains logged steps again: its progress stands still, and says why (as on the runs page)
  const replaying = replayingText(v, stepWords([v.optimizer]).short);
  cells.push(el('td', replaying ? { class: 'num replaying', title: replaying } : { class: 'num' }, `${v.epochsDone}/${v.epochsTotal}`,
    replaying ? el('div', { class: 'muted small' }, 'replaying') : null),
    lossCell(v.loss, v.epochsDone), el('td', { class: 'num' }, fmt(v.heldout)), el('td', { class: 'num' }, fmt(v.meanActivation)));
  for (const [k] of MEASURES) {
    const td = measureCell(r.measures, k);
    td.dataset.measure = k;
    cells.push(td);
  }
  return el('tr', { 'data-run': v.runId, 'data-step': r.step ?? '' }, ...cells);
}

/** The first columns (a ladder's step and change, or the run id) stay in view while the table scrolls sideways. */
function stickColumns(table, g) {
  const n = g.kind === 'ladder' ? 2 : 1;
  const widths = [...table.querySelectorAll('thead th')].slice(0, n).map(th => th.getBoundingClientRect().width);
  let left = 0;
  for (let i = 0; i < n; i++) {
    for (const cell of table.querySelectorAll(`tr > :nth-child(${i + 1})`)) {
      cell.classList.add('sticky2');
      cell.style.left = `${left}px`;
    }
    left += widths[i];
  }
}

function caption(g, r) {
  if (g.kind === 'ladder') {
    const what = r.changes.length ? r.changes.map(c => `${c.key}=${c.to}`).join(', ') : 'A';
    return `step ${r.step}: ${what}${g.points.length && r.values.seed !== undefined ? ` (seed ${r.values.seed})` : ''}`;
  }
  return g.keys.map(k => `${k}=${r.values[k]}`).join(' ') || r.run.runId;
}

const shown = new Map();

function fullSize(id, epoch, text, thumb) {
  // at least twice the thumbnail's shown width (pixels per weight 1 to 8, as the server draws them)
  const scale = Math.min(8, Math.max(3, Math.ceil(2 * thumb.getBoundingClientRect().width / Math.max(1, thumb.naturalWidth))));
  dialog(`weights of ${id}, full size`, el('figure', { class: 'full' },
    el('img', { src: `${runPath(id, 'snapshots', epoch, 'grid.png')}?scale=${scale}`, alt: `weights of ${id}: ${text}` }),
    el('figcaption', {}, `${text} · `, el('a', { href: `/run.html?id=${encodeURIComponent(id)}` }, `open run ${id}`), ' · click outside or press Esc to close')),
  { id: 'full-size' });
}

function strip(g) {
  const box = document.getElementById('strip');
  for (const r of g.runs) {
    const id = r.run.runId;
    if (!isRunId(id)) continue;
    const src = r.lastSnapshot === null ? null : `${runPath(id, 'snapshots', r.lastSnapshot, 'grid.png')}?scale=1`;
    let fig = shown.get(id);
    if (!fig) {
      fig = el('figure', { class: 'thumb', 'data-run': id });
      box.append(fig);
      shown.set(id, fig);
    }
    const text = `${caption(g, r)} · ${stepWords([r.run.optimizer]).short} ${r.lastSnapshot ?? '–'}`;  // an L-BFGS run's step is an iteration
    const img = fig.querySelector('img');
    if (src && (!img || img.getAttribute('src') !== src)) {
      const thumb = el('img', { class: 'thumb-img', src, alt: `weights of ${id}`, title: 'click for full size' });
      // a button, so that the keyboard opens it too (Enter, Space) and focus comes back to it when the dialog closes
      const open = el('button', { type: 'button', class: 'image-button', 'aria-label': `weights of ${id}, ${text}: full size` }, thumb);
      open.addEventListener('click', () => fullSize(id, r.lastSnapshot, text, thumb));
      // drawn smaller than its pixels (many units, or a phone's width): smoothed, as on the run page, not pixels dropped
      thumb.addEventListener('load', () => { thumb.style.imageRendering = thumb.naturalWidth > thumb.clientWidth ? 'auto' : ''; });
      fig.replaceChildren(open, el('figcaption', {}, text));
    } else if (!src && !img) {
      // "yet" only while one may still come: a run that ended (finished, diverged, failed, cancelled) gets none
      const ended = ENDED.includes(r.run.status);
      fig.replaceChildren(el('div', { class: 'thumb-empty muted' }, ended ? 'no snapshot' : 'no snapshot yet'), el('figcaption', {}, text));
    } else {
      fig.querySelector('figcaption').textContent = text;
    }
  }
}

// ---- sweep charts

/** A run's final figure or latest filter measure; null where there is none, or where it says nothing (all dead). */
const figureValue = (r, key) => {
  const m = MEASURES.find(([k]) => k === key);
  const v = m ? (r.measures && !meaningless(r.measures, key) ? r.measures[key] : null) : r.run[key];
  return typeof v === 'number' ? v : null;
};

const numeric = values => values.every(v => v !== null && v !== '' && Number.isFinite(Number(v)));

let sweepCharts = [];
function drawSweep(g) {
  const box = document.getElementById('sweep-charts');
  const section = document.getElementById('sweep');
  const replicates = g.points.length > 0;
  // with replicates a chart's x is a swept key other than the seed, and its items are the points, not the runs
  const keys = replicates ? g.keys.filter(k => k !== 'seed') : g.keys;
  if (g.kind !== 'sweep' || !keys.length) { section.hidden = true; return; }
  section.hidden = false;
  document.getElementById('sweep-note').textContent = replicates
    ? '(one line per value of the other keys: the mean over seeds, shaded ± sd)' : '(one line per value of the other keys)';
  sweepCharts.forEach(c => c.destroy());
  sweepCharts = [];
  box.replaceChildren();
  const items = replicates
    ? g.points.map(p => ({ values: p.values, y: fig => p.figures[fig], n: p.n }))
    : g.runs.map(r => ({ values: r.values, y: fig => ({ mean: figureValue(r, fig), sd: null }) }));
  // a figure measured in no run, or the same in every one, is a line of text, not a chart of a flat line
  const constant = document.getElementById('sweep-constant');
  constant.replaceChildren();
  const figures = FIGURES.filter(([fig, title]) => {
    // a run whose latest measure says nothing (the stroke share where every unit is dead) is not drawn, and said
    const dead = replicates ? [] : g.runs.filter(r => r.measures && typeof r.measures[fig] === 'number' && meaningless(r.measures, fig));
    for (const r of dead) {
      constant.append(el('li', { 'data-figure': `${fig}-dead`, 'data-run': r.run.runId },
        `${title}: ${r.run.runId} all dead at its last snapshot (${stepWords([r.run.optimizer]).short} ${r.measures.epoch}), not drawn`));
    }
    const values = items.map(r => r.y(fig).mean).filter(v => typeof v === 'number');
    if (!values.length) {
      // runs still queued or running will have it: "not measured yet", not "not measured in these runs"
      // (a run that finished without it says the figure is not measured here: held-out error with holdout=0)
      const waiting = g.runs.some(r => ['queued', 'running'].includes(r.run.status)) && !g.runs.some(r => r.run.status === 'finished');
      if (!dead.length) constant.append(el('li', { 'data-figure': fig }, `${title}: ${waiting ? 'not measured yet (runs queued or running)' : 'not measured in these runs'}`));
      return false;
    }
    if (values.every(v => v === values[0])) {
      const all = values.length === items.length;     // a run not measured yet, or all dead, is not counted as the same
      constant.append(el('li', { 'data-figure': fig }, `${title}: ${fmt(values[0])} in every run${all ? '' : ' that has it'}`));
      return false;
    }
    return true;
  });
  for (const key of keys) {
    const others = keys.filter(k => k !== key);
    const xs = [...new Set(items.map(r => r.values[key]))];
    const isNum = numeric(xs);
    if (isNum) xs.sort((a, b) => Number(a) - Number(b));
    const lines = new Map();   // "k=v, ..." of the other keys -> items
    for (const r of items) {
      const lineKey = others.map(k => `${k}=${r.values[k]}`).join(', ') || (replicates ? 'mean over seeds' : 'all runs');
      if (!lines.has(lineKey)) lines.set(lineKey, []);
      lines.get(lineKey).push(r);
    }
    for (const [fig, title] of figures) {
      const canvas = el('canvas', { 'data-key': key, 'data-figure': fig });
      box.append(chartCell(canvas, { class: 'chart small' }));
      const datasets = [];
      [...lines].forEach(([lineKey, rows], i) => {
        const color = COLORS[i % COLORS.length];
        const points = rows.map(r => ({ x: isNum ? Number(r.values[key]) : r.values[key], ...r.y(fig), n: r.n }))
          .filter(p => typeof p.mean === 'number')
          .sort((a, b) => (isNum ? a.x - b.x : xs.indexOf(a.x) - xs.indexOf(b.x)));
        datasets.push({
          label: lineKey, borderColor: color, backgroundColor: color, borderDash: DASHES[i % DASHES.length], borderWidth: 1.6,
          pointRadius: 3, mean: replicates, data: points.map(p => ({ x: p.x, y: p.mean, sd: p.sd, n: p.n })),
        });
        // losses are 0 or more, the filter measures fractions in [0, 1] (a mean activation may be negative: tanh)
        const range = MEASURES.some(([m]) => m === fig) ? { min: 0, max: 1 } : fig === 'meanActivation' ? {} : { min: 0 };
        if (replicates) datasets.push(...band(lineKey, color, points.map(p => ({ x: p.x, mean: p.mean, sd: p.sd })), range));
      });
      const logX = isNum && xs.length > 2 && xs.every(v => Number(v) > 0) && Number(xs[xs.length - 1]) / Number(xs[0]) >= 100;
      sweepCharts.push(new Chart(canvas, {
        type: 'line',
        data: { labels: isNum ? undefined : xs, datasets },
        options: {
          animation: false, maintainAspectRatio: false,
          plugins: {
            title: { display: true, text: `${title} against ${key}` },
            legend: { display: lines.size > 1, labels: { boxWidth: 18, font: { size: 10 }, filter: (item, data) => !data.datasets[item.datasetIndex].band } },
            tooltip: { filter: item => !item.dataset.band, callbacks: { label: meanLabel } },
          },
          scales: {
            x: { type: isNum ? (logX ? 'logarithmic' : 'linear') : 'category', ...(logX ? logAxis() : {}), title: { display: true, text: key } },
            y: MEASURES.some(([m]) => m === fig) ? { min: 0, suggestedMax: 1 } : {},     // a fraction: never below 0
          },
        },
      }));
    }
  }
  drawParallel(g);
}

/** A dataset point's tooltip: its value, and with replicates the sd and n. */
function meanLabel(c) {
  const r = c.raw || {};
  return typeof r.sd === 'number' ? `${c.dataset.label}: ${fmtAlike([r.y, r.sd]).join(' ± ')} (n ${r.n})` : `${c.dataset.label}: ${c.formattedValue}`;
}

// ---- replicates: the points table and a ladder's effects

const pointCell = (s, fraction = false) => {
  if (!s || typeof s.mean !== 'number') return el('td', { class: 'num' }, '');
  const [mean, sd] = fmtAlike([s.mean, s.sd], [4, 3]);     // the sd in its mean's style
  // a narrow column breaks the line before the ± only: "0.05524" over "± 0.000203", never the sd from its sign
  const spread = typeof s.sd === 'number' ? ` ±\u00a0${sd}` : '';
  // a fraction's interval is shown within [0, 1] (the t-interval itself may reach past them with few seeds)
  const lo = fraction ? Math.max(0, s.mean - s.half) : s.mean - s.half;
  const hi = fraction ? Math.min(1, s.mean + s.half) : s.mean + s.half;
  const clipped = fraction && (lo !== s.mean - s.half || hi !== s.mean + s.half);
  const [from, to] = fmtAlike([lo, hi], 3);
  const interval = typeof s.half === 'number' ? el('div', { class: 'muted small', title: clipped ? 'clipped to [0, 1], the range of a fraction' : '' },
    `95%: ${from} – ${to}${clipped ? ' (clipped)' : ''}`) : null;
  return el('td', { class: 'num', 'data-mean': s.mean, 'data-sd': s.sd ?? '', 'data-half': s.half ?? '' }, `${mean}${spread}`, interval);
};

/**
 * A heading of the over-seeds or effects table, which wrap their headings: it breaks between words only, never a word
 * at its hyphen ("digit-" over "likeness"), each word with a hyphen in a span that does not wrap.
 */
const heading = label => label.split(/(\S*-\S*)/).map((part, i) => (i % 2 ? el('span', { class: 'nobr' }, part) : part));

/** A ladder step's change in words, from its first run. */
function stepChange(g, step) {
  const r = g.runs.find(x => x.step === step);
  if (!r) return '';
  return r.changes.length ? r.changes.map(c => `${c.key}: ${c.from ?? ''} → ${c.to ?? ''}`).join(', ') : (step === 0 ? `= ${g.from}` : '');
}

function drawPoints(g) {
  const section = document.getElementById('points-box');
  section.hidden = !g.points.length;
  if (!g.points.length) return;
  const figs = FIGURES.filter(([k]) => g.points.some(p => typeof p.figures[k].mean === 'number'));
  const table = document.getElementById('points');
  table.querySelector('thead').replaceChildren(el('tr', {}, el('th', {}, 'point'), el('th', { title: 'finished runs / runs' }, 'n'),
    ...figs.map(([k, label]) => el('th', { 'data-figure': k, title: MEASURES.some(([m]) => m === k) ? measureTitle(k) : label }, ...heading(label)))));
  table.querySelector('tbody').replaceChildren(...g.points.map(p => el('tr', { 'data-point': p.label },
    el('td', {}, p.label, p.step === null ? null : el('span', { class: 'muted' }, ` ${stepChange(g, p.step)}`)),
    el('td', { class: 'num' }, `${p.n}/${p.runIds.length}`),
    ...figs.map(([k]) => { const td = pointCell(p.figures[k], MEASURES.some(([m]) => m === k)); td.dataset.figure = k; return td; }))));
}

/** Error bars: a vertical whisker of ± errors[j] around each point of a dataset that has errors; and a dashed line at 0. */
const errorBars = {
  id: 'errorBars',
  beforeDatasetsDraw(chart) {
    const { ctx, chartArea: a, scales: { y } } = chart;
    const zero = y.getPixelForValue(0);
    if (zero < a.top || zero > a.bottom) return;
    ctx.save();
    ctx.strokeStyle = '#9ca3af';
    ctx.setLineDash([4, 4]);
    ctx.beginPath(); ctx.moveTo(a.left, zero); ctx.lineTo(a.right, zero); ctx.stroke();
    ctx.restore();
  },
  afterDatasetsDraw(chart) {
    const { ctx, scales: { y } } = chart;
    chart.data.datasets.forEach((ds, i) => {
      if (!ds.errors || chart.getDatasetMeta(i).hidden) return;
      ctx.save();
      ctx.strokeStyle = ds.borderColor;
      ctx.lineWidth = 1.5;
      chart.getDatasetMeta(i).data.forEach((pt, j) => {
        const v = ds.data[j], h = ds.errors[j];
        if (typeof v !== 'number' || typeof h !== 'number') return;
        const top = y.getPixelForValue(v + h), bottom = y.getPixelForValue(v - h);
        ctx.beginPath();
        ctx.moveTo(pt.x, top); ctx.lineTo(pt.x, bottom);
        ctx.moveTo(pt.x - 5, top); ctx.lineTo(pt.x + 5, top);
        ctx.moveTo(pt.x - 5, bottom); ctx.lineTo(pt.x + 5, bottom);
        ctx.stroke();
      });
      ctx.restore();
    });
  },
};

let effectCharts = [];
function drawEffects(g) {
  const section = document.getElementById('effects-box');
  section.hidden = !g.effects.length;
  effectCharts.forEach(c => c.destroy());
  effectCharts = [];
  if (!g.effects.length) return;
  const figs = FIGURES.filter(([k]) => g.effects.some(e => typeof e.figures[k].diff === 'number'));
  const table = document.getElementById('effects');
  table.querySelector('thead').replaceChildren(el('tr', {}, el('th', {}, 'step'), el('th', {}, 'change'),
    ...figs.map(([k, label]) => el('th', { 'data-figure': k }, ...heading(label)))));
  table.querySelector('tbody').replaceChildren(...g.effects.map(e => el('tr', { 'data-step': e.step },
    el('td', { class: 'num' }, `${e.fromStep} → ${e.step}`), el('td', {}, stepChange(g, e.step)),
    ...figs.map(([k]) => {
      const d = e.figures[k];
      if (typeof d.diff !== 'number') return el('td', { class: 'num', 'data-figure': k }, '');
      // every seed of both steps alike (both sds 0: half 0, no df): no spread, so no measure of the noise, and a
      // difference is not called larger than it (two seeds of a stroke share, counted in 16ths, agree often)
      const alike = d.half === 0 && d.df == null;
      // an interval that leaves out 0: the step's effect is larger than the seed noise
      const clear = typeof d.half === 'number' && !alike && Math.abs(d.diff) > d.half;
      const [diff, half] = fmtAlike([d.diff, d.half], 3);
      const [from, to] = fmtAlike([d.diff - d.half, d.diff + d.half], 3);
      const title = alike ? 'every seed of both steps gave the same value: no spread, so no measure of the seed noise'
        : typeof d.half === 'number' ? `95% Welch interval ${from} – ${to}` : 'no interval: a step with one finished run';
      return el('td', { class: clear ? 'num changed' : 'num', 'data-figure': k, 'data-diff': d.diff, 'data-half': d.half ?? '', title },
      // as in the over-seeds table, a narrow column breaks the line before the ± only
      `${d.diff > 0 ? '+' : ''}${diff}${typeof d.half === 'number' && !alike ? ` ±\u00a0${half}` : ''}`,
      alike ? el('span', { class: 'muted' }, ' (seeds alike)') : null,
      // the highlight said in words too: a screen reader does not see a colour
      clear ? el('span', { class: 'visually-hidden' }, ', larger than the seed noise') : null);
    }))));
  const box = document.getElementById('effects-charts');
  box.replaceChildren();
  const labels = g.effects.map(e => `step ${e.step}`);
  // a chart for each figure that some step moves (a figure no step changes is in the table alone)
  const moved = figs.filter(([k]) => g.effects.some(e => e.figures[k].diff !== 0 || (e.figures[k].half ?? 0) !== 0));
  for (const [k, title] of moved) {
    const canvas = el('canvas', { 'data-figure': k });
    box.append(chartCell(canvas, { class: 'chart small' }));
    const diffs = g.effects.map(e => (typeof e.figures[k].diff === 'number' ? e.figures[k].diff : null));
    const halves = g.effects.map(e => (typeof e.figures[k].half === 'number' ? e.figures[k].half : null));
    const ends = diffs.flatMap((d, j) => (d === null ? [] : [d - (halves[j] ?? 0), d + (halves[j] ?? 0)])).concat([0]);
    effectCharts.push(new Chart(canvas, {
      type: 'line',
      data: { labels, datasets: [
        { label: 'change of the mean', data: diffs, errors: halves, showLine: false, pointRadius: 5, borderColor: COLORS[0], backgroundColor: COLORS[0] },
      ] },
      options: {
        animation: false, maintainAspectRatio: false,
        plugins: { title: { display: true, text: `${title}: change from the step before (95% interval)` }, legend: { display: false },
          tooltip: { callbacks: { label: c => (c.datasetIndex === 0 && halves[c.dataIndex] !== null ? fmtAlike([c.raw, halves[c.dataIndex]]).join(' ± ') : c.formattedValue) } } },
        scales: { x: { type: 'category', offset: true, title: { display: false, text: 'step' } }, y: { suggestedMin: Math.min(...ends), suggestedMax: Math.max(...ends) } },
      },
      plugins: [errorBars],
    }));
  }
}

/** One vertical axis per swept key and per final figure; one polyline per run, coloured by its held-out error. */
function drawParallel(g) {
  const section = document.getElementById('parallel-box');
  if (g.keys.length < 3) { section.hidden = true; return; }
  section.hidden = false;
  const axes = [...g.keys.map(k => ({ name: k, value: r => r.values[k], key: true })),
    ...FINAL.concat(MEASURES.map(([k, l]) => [k, l])).map(([k, l]) => ({ name: l, value: r => figureValue(r, k), key: false }))];
  const canvas = document.getElementById('parallel');
  const width = Math.max(600, Math.min(canvas.parentElement.clientWidth - 20, 160 * axes.length));
  canvas.width = width;
  canvas.height = 360;
  canvas.dataset.axes = axes.length;
  canvas.dataset.lines = g.runs.length;
  canvas.setAttribute('role', 'img');
  canvas.setAttribute('aria-label', `parallel coordinates: one line per run (${g.runs.length}) across ${axes.map(a => a.name).join(', ')}; `
    + 'colour: held-out error (blue low, red high)');
  const ctx = canvas.getContext('2d');
  ctx.clearRect(0, 0, width, 360);
  const top = 50, bottom = 320, left = 40, step = (width - 2 * left) / (axes.length - 1);
  const scales = axes.map(a => {
    const vals = g.runs.map(a.value).filter(v => v !== null && v !== undefined);
    if (numeric(vals)) {
      const nums = vals.map(Number);
      const lo = Math.min(...nums), hi = Math.max(...nums);
      return { pos: v => (v === null || v === undefined ? null : hi === lo ? 0.5 : (Number(v) - lo) / (hi - lo)), lo, hi };
    }
    const cats = [...new Set(vals.map(String))];
    return { pos: v => (v === null || v === undefined ? null : cats.length === 1 ? 0.5 : cats.indexOf(String(v)) / (cats.length - 1)), cats };
  });
  const held = g.runs.map(r => figureValue(r, 'heldout')).filter(v => v !== null);
  const hLo = Math.min(...held), hHi = Math.max(...held);
  g.runs.forEach(r => {
    const h = figureValue(r, 'heldout');
    const t = h === null || hHi === hLo ? 0.5 : (h - hLo) / (hHi - hLo);
    ctx.strokeStyle = h === null ? '#bbb' : `rgb(${Math.round(40 + 200 * t)},${Math.round(90 + 60 * (1 - t))},${Math.round(220 - 180 * t)})`;
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    let started = false;
    axes.forEach((a, i) => {
      const p = scales[i].pos(a.value(r));
      if (p === null) { started = false; return; }
      const x = left + i * step, y = bottom - p * (bottom - top);
      if (started) ctx.lineTo(x, y); else ctx.moveTo(x, y);
      started = true;
    });
    ctx.stroke();
  });
  ctx.fillStyle = '#1d2330';
  ctx.font = '11px system-ui, sans-serif';
  ctx.textAlign = 'center';
  axes.forEach((a, i) => {
    const x = left + i * step;
    ctx.strokeStyle = '#6b7280';
    ctx.lineWidth = 1;
    ctx.beginPath(); ctx.moveTo(x, top); ctx.lineTo(x, bottom); ctx.stroke();
    ctx.fillText(a.name, x, i % 2 ? top - 32 : top - 18);   // staggered, so that long names do not collide
    const s = scales[i];
    const lo = s.cats ? s.cats[0] : fmt(s.lo, 3), hi = s.cats ? s.cats[s.cats.length - 1] : fmt(s.hi, 3);
    ctx.fillText(String(lo ?? ''), x, bottom + 14);
    ctx.fillText(String(hi ?? ''), x, top - 4);
  });
  ctx.textAlign = 'left';
  ctx.fillText('colour: held-out error (blue low, red high)', left, 352);
}

let sweepDrawn = '';
let feed = null;

async function loadOnce() {
  if (!name) {                          // no group in the address: say how to name one, not the API's route
    document.getElementById('error').textContent = 'No group named: open /group.html?name=NAME (a sweep\'s or ladder\'s name; the runs page links each group).';
    document.getElementById('body').hidden = true;
    return;
  }
  try {
    const g = await getJson(`/api/groups/${encodeURIComponent(name)}`);
    document.title = `sparselab — ${g.kind} ${g.name}`;
    document.getElementById('kind').textContent = g.kind === 'ladder' ? 'Ladder' : g.kind === 'sweep' ? 'Sweep' : 'Group';
    document.getElementById('name').textContent = g.name;
    document.getElementById('ends').textContent = g.kind === 'ladder' ? `from ${g.from} to ${g.to}` : '';
    const table = document.getElementById('group');
    table.querySelector('thead').replaceChildren(head(g));
    keepingFocus(table, () => table.querySelector('tbody').replaceChildren(...g.runs.map(r => row(g, r))));
    stickColumns(table, g);
    // each step's reason for leaving the asked order, once per step (its seeds share it)
    const noted = [...new Map(g.runs.filter(r => r.note).map(r => [r.step, r.note])).entries()];
    const notes = document.getElementById('notes');
    notes.hidden = !noted.length;
    notes.replaceChildren(...noted.map(([step, note]) => el('li', { 'data-step': step }, `* step ${step}: ${note}`)));
    const compare = document.getElementById('compare');
    const ids = g.compare.filter(isRunId);
    // fewer than two runs: a link without href, so neither Tab nor Enter reaches it; said as a disabled link
    if (ids.length < 2) {
      compare.removeAttribute('href');
      compare.setAttribute('role', 'link');
      compare.setAttribute('aria-disabled', 'true');
    } else {
      compare.href = `/compare.html?runs=${ids.map(encodeURIComponent).join(',')}`;
      compare.removeAttribute('role');
      compare.removeAttribute('aria-disabled');
    }
    compare.classList.toggle('disabled', ids.length < 2);
    document.getElementById('count').textContent = `${g.runs.length} run${g.runs.length === 1 ? '' : 's'}${g.runs.length > 8 ? ' (compare opens the first 8)' : ''}`;
    // an L-BFGS run's last step is an iteration; a group of both kinds says both
    document.getElementById('last-step').textContent = stepWords(g.runs.map(r => r.run.optimizer)).short;
    strip(g);
    const state = JSON.stringify(g.runs.map(r => [r.run.runId, r.run.epochsDone, r.run.status, r.measures]));
    // a chart's numbers keep the focus while the charts are drawn anew
    if (state !== sweepDrawn) { sweepDrawn = state; keepingFocus(document.getElementById('body'), () => { drawSweep(g); drawPoints(g); drawEffects(g); }); }
    const busy = g.runs.some(r => ['queued', 'running'].includes(r.run.status));
    if (busy && !feed) feed = live(`group=${encodeURIComponent(name)}`, throttle(load, 1000), load, 3000);
    if (!busy && feed) { feed.stop(); feed = null; }
  } catch (e) {
    say(document.getElementById('error'), e.message);
    // no group (or none read yet): its error alone, no note on figures nor empty sections; a live page keeps what it drew
    if (!sweepDrawn) document.getElementById('body').hidden = true;
  }
}
/** The page's one load: never two at once (a late answer drawn over a newer one). */
const load = oneAtATime(loadOnce);

load();
