// The compare page, answer first: the configuration diff and the weight galleries (one epoch control for all; units
// matched across runs; click a filter, or press Enter or the arrows on a gallery, to follow its unit), then the curves
// (loss-like ones on a log scale; figures constant in every run as one line of text), the per-unit rate heat maps on
// one colour scale, the filter measures.
// Runs whose configurations differ only by seed (replicates) can be drawn as one mean curve per configuration with a
// shaded ±sd band ("mean ± sd over seeds", on by default when there are replicates); divergence marks stay per run.
import { getJson, postJson, el, fmt, fmtAlike, isRunId, runPath, lineOptions, band, flagDataset, flagLabel, getFlags, DASHES, COLORS, live, throttle, oneAtATime, stepWords, say, keepingFocus, thinnedRunsText, spread } from './api.js';
import { MEASURES, measureTitle, nearestMeasures, measuresTable, meaningless } from './measures.js';
import { chartCell } from './chartnumbers.js';

const asked = (new URLSearchParams(location.search).get('runs') || '').split(',').map(s => s.trim()).filter(Boolean);
const ids = asked.filter(isRunId);
// [key, title, loss-like, the y axis's unit]
const FIGURES = [
  ['loss', 'loss (recon + decay + penalty)', true, 'value of the objective'],
  ['recon', 'reconstruction error', true, 'per sample'],
  ['heldout', 'held-out error', true, 'per held-out sample'],
  ['penalty', 'sparsity penalty', true, 'beta x sum of KL over units'],
  ['decay', 'weight decay', true, 'lambda/2 x sum of squared weights'],
  ['meanActivation', 'mean activation', false, 'rate, 0 to 1'],
  ['meanAbsSp', 'mean |sp|', false, "sparsity term of a unit's delta"],
  ['clippedFraction', 'limiter clipped fraction', false, 'share of sp entries'],
];
let lossCharts = [];
let curveCharts = [];  // every chart of the curves and measure sections, redrawn when the seed toggle changes
let configs = [];      // [{ label, runs }]: the runs grouped by their configuration without seed
const measures = {};
const rates = {};      // run id -> rho_hat map
const shapes = {};     // run id -> first snapshot's shape
const matchCache = {}; // "ref/epoch/other/epoch" -> units
let runsData = [];
let selected = null;   // { runId, unit } of the clicked filter
let words = stepWords([]);  // one step of training: an epoch, or an L-BFGS iteration when every run is trained by L-BFGS
let stepOf = {};            // run id -> its own words for a step ('iteration' for an L-BFGS run), for its gallery's and heat map's captions

let alsoDiffer = [];         // keys other than beta in which the runs differ, each with every run's value: [{ key, values: {runId: value} }]
/**
 * A run's name on the page: its id and beta, and its values of up to three other keys in which the runs differ (a
 * walkthrough of four runs of two seeds found two galleries captioned "(beta 0)" with nothing to tell them apart).
 */
const label = s => `${s.run.runId} (beta ${s.run.beta}${alsoDiffer.slice(0, 3).map(d => `, ${d.key} ${d.values[s.run.runId]}`).join('')})`;
/** Whether a run's rho is a target it trains towards: only with beta > 0 (at beta = 0 the penalty, and rho with it, has no effect). */
const rhoInEffect = s => Number(s.run.beta) !== 0;
/** A chart's "(thin: target rho)", and where some run has beta = 0, that it has none. */
const targetNote = runs => `thin: target rho${runs.some(s => !rhoInEffect(s)) ? '; none for beta = 0, where rho has no effect' : ''}`;
const training = s => s.run.status === 'running' || s.run.status === 'queued';
const style = i => ({ borderColor: COLORS[i % COLORS.length], backgroundColor: COLORS[i % COLORS.length], borderDash: DASHES[i % DASHES.length] });

function numbers(values) { return values.filter(v => typeof v === 'number'); }

/** The value every point of every run shares per run, or null when some run's series moves. */
function constantPerRun(seriesList) {
  const per = [];
  for (const values of seriesList) {
    const v = numbers(values);
    if (!v.length) { per.push(null); continue; }
    const first = v[0];
    if (v.some(x => Math.abs(x - first) > 1e-12 * Math.max(1, Math.abs(first)))) return null;
    per.push(first);
  }
  return per.some(v => v !== null) ? per : null;
}

/**
 * A figure constant in every run that has it, as one line; a run without a value (why(s): "no epochs yet", say) is
 * named after the others, never counted as constant. partial(s), when given, qualifies a run that has the value at some
 * of its steps only (" at its other snapshots", where the others are said on a line of their own): such a run is named,
 * never folded into "all runs".
 */
function constantLine(list, key, title, per, runs, why, partial = () => '') {
  const have = runs.filter((s, i) => per[i] !== null);
  const without = runs.filter((s, i) => per[i] === null);
  const known = per.filter(v => v !== null);
  const same = known.every(v => v === known[0]);
  const named = s => `${s.run.runId}${partial(s)}`;
  let text = same
    ? `${title}: ${fmt(known[0])} in ${without.length || have.some(s => partial(s)) ? have.map(named).join(', ') : 'all runs'}`
    : `${title}: constant in every run${without.length ? ' that has it' : ''} (${have.map(s => `${named(s)} ${fmt(per[runs.indexOf(s)])}`).join(', ')})`;
  if (without.length) text += `; ${without.map(s => `${s.run.runId}: ${why(s)}`).join(', ')}`;
  list.append(el('li', { 'data-figure': key }, text));
}

/**
 * Why a run has no value of a curve's figure: no epoch yet; none recorded (the held-out error of a run without
 * held-out samples); or none finite (a loss and penalty NaN at every epoch, as the blog's beta = 3 divergence gives).
 */
const noEpochs = (key, title) => s => (!s.epoch.length ? `no ${(stepOf[s.run.runId] || words).plural} yet`
  : key === 'heldout' ? `no ${title} recorded` : `not finite (NaN or infinite) at every ${(stepOf[s.run.runId] || words).short}`);

const plural = (n, word) => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * The runs grouped by the values of the differing keys other than seed, each group labelled by those values and
 * its distinct seeds (runs that repeat a seed are counted as runs too: "2 runs, 1 seed").
 */
function configurations(diff, runs) {
  const keys = diff.rows.filter(r => r.differs && r.key !== 'seed');
  const seedRow = diff.rows.find(r => r.key === 'seed');
  const by = new Map();
  for (const s of runs) {
    const j = diff.runIds.indexOf(s.run.runId);
    const key = keys.map(r => `${r.key}=${r.values[j] ?? ''}`).join(' ') || 'all runs';
    if (!by.has(key)) by.set(key, []);
    by.get(key).push(s);
  }
  const seeds = rs => new Set(rs.map(s => (seedRow ? seedRow.values[diff.runIds.indexOf(s.run.runId)] : s.run.runId))).size;
  const count = rs => (seeds(rs) === rs.length ? plural(rs.length, 'seed') : `${plural(rs.length, 'run')}, ${plural(seeds(rs), 'seed')}`);
  return [...by].map(([key, rs]) => ({ label: `${key} (${rs.length === 1 ? rs[0].run.runId : count(rs)})`, runs: rs }));
}

const bySeed = () => document.getElementById('by-seed').checked;

/** Per x: n, mean and sample sd (null for one value) of the finite y of the series; sorted by x. */
function meanCurve(seriesList) {
  const at = new Map();
  for (const series of seriesList) {
    for (const p of series) {
      if (typeof p.y !== 'number' || !Number.isFinite(p.y)) continue;
      if (!at.has(p.x)) at.set(p.x, []);
      at.get(p.x).push(p.y);
    }
  }
  return [...at].sort((a, b) => a[0] - b[0]).map(([x, ys]) => {
    const mean = ys.reduce((a, b) => a + b, 0) / ys.length;
    const sd = ys.length > 1 ? Math.sqrt(ys.reduce((a, y) => a + (y - mean) * (y - mean), 0) / (ys.length - 1)) : null;
    return { x, mean, sd, n: ys.length };
  });
}

/**
 * The curves of one figure: a line per run, or with the seed toggle a mean line per configuration and its ±sd band
 * (datasets marked mean / band, the band within range); seriesOf(s) is a run's [{x, y}].
 */
function curveDatasets(seriesOf, lineStyle, range) {
  if (!bySeed()) return runsData.map((s, i) => ({ label: label(s), data: seriesOf(s), ...style(i), ...lineStyle }));
  const out = [];
  configs.forEach((c, i) => {
    const m = meanCurve(c.runs.map(seriesOf));
    out.push({ label: c.label, data: m.map(p => ({ x: p.x, y: p.mean, sd: p.sd, n: p.n })), ...style(i), ...lineStyle, mean: true });
    out.push(...band(c.label, COLORS[i % COLORS.length], m, range));
  });
  return out;
}

/** The colour index of a run: its own, or with the seed toggle its configuration's. */
const colourOf = s => (bySeed() ? configs.findIndex(c => c.runs.includes(s)) : runsData.indexOf(s));

/** A point's tooltip: a flag's cause, a mean's sd and n, else the value. */
function tooltipLabel(c) {
  const r = c.raw || {};
  const flag = flagLabel(r);
  if (flag) return flag;
  if (typeof r.sd === 'number') return `${c.dataset.label}: ${fmtAlike([r.y, r.sd]).join(' ± ')} (n ${r.n})`;
  return `${c.dataset.label}: ${c.formattedValue}`;
}

function curveOptions(title, yType, yTitle) {
  const options = lineOptions(title, yType, yTitle, words.axis);
  options.plugins.legend.labels.filter = (item, data) => !data.datasets[item.datasetIndex].band;
  options.plugins.tooltip = { filter: item => !item.dataset.band, callbacks: { label: tooltipLabel } };
  return options;
}

function drawCharts(runs) {
  const box = document.getElementById('charts');
  const list = document.getElementById('constant');
  box.replaceChildren();
  list.replaceChildren();
  lossCharts = [];
  const logOn = () => document.getElementById('logscale').checked;
  for (const [key, title, lossLike, unit] of FIGURES) {
    // no run has a value yet (all queued): a line saying why for each run, not an empty chart
    if (!runs.some(s => numbers(s[key]).length)) {
      list.append(el('li', { 'data-figure': key }, `${title}: ${runs.map(s => `${s.run.runId} ${noEpochs(key, title)(s)}`).join(', ')}`));
      continue;
    }
    const per = constantPerRun(runs.map(s => s[key]));
    if (per) { constantLine(list, key, title, per, runs, noEpochs(key, title)); continue; }
    if (lossLike) {             // a log scale draws no zeros: say which runs are 0 throughout
      const zero = runs.filter(s => numbers(s[key]).length && numbers(s[key]).every(v => v === 0)).map(s => s.run.runId);
      if (zero.length) list.append(el('li', { 'data-figure': `${key}-zero` }, `${title}: 0 throughout in ${zero.join(', ')} (not drawn on a log scale)`));
    }
    // a run with epochs but no value to draw (its loss NaN throughout): named, not a legend entry without a line
    const none = runs.filter(s => s.epoch.length && !numbers(s[key]).length);
    if (none.length) {
      list.append(el('li', { 'data-figure': `${key}-none` }, `${title}: ${none.map(s => `${s.run.runId} ${noEpochs(key, title)(s)}`).join(', ')} (not drawn)`));
    }
    const canvas = el('canvas', { id: `chart-${key}` });
    box.append(chartCell(canvas));
    const datasets = curveDatasets(s => s.epoch.map((e, j) => ({ x: e, y: typeof s[key][j] === 'number' ? s[key][j] : null })),
      { pointRadius: 0, borderWidth: 1.8, spanGaps: false }, lossLike ? { min: 0 } : {});
    runs.forEach(s => {
      const i = colourOf(s);
      // at the diverged epoch's value, or the last finite one before it when that is infinite or NaN
      const diverged = s.divergedEpochs.map(e => {
        let j = s.epoch.indexOf(e);
        while (j >= 0 && typeof s[key][j] !== 'number') j--;
        return { x: e, y: j >= 0 ? s[key][j] : null };
      }).filter(p => p.y !== null);
      if (diverged.length) {
        // a cross in the run's colour: with several diverged runs, each cross says whose it is
        datasets.push({ label: `${s.run.runId} diverged`, data: diverged, type: 'scatter', pointStyle: 'crossRot', pointRadius: 9, borderColor: COLORS[i % COLORS.length], borderWidth: 3, showLine: false });
      }
      // divergence flags (GET /api/runs/{id}/flags) as triangles in the run's colour at the flagged epoch; the cause shows on hover
      const flagged = flagDataset(`${s.run.runId} flags`, s.flags, s.epoch, s[key], COLORS[i % COLORS.length]);
      if (flagged) datasets.push(flagged);
      // the target rho: once per configuration with the seed toggle; none for beta = 0
      const first = !bySeed() || configs[i].runs[0] === s;
      if (key === 'meanActivation' && first && rhoInEffect(s) && s.rho !== null && s.epoch.length) {
        datasets.push({ label: `${bySeed() ? configs[i].label : s.run.runId} rho`, data: [{ x: s.epoch[0], y: s.rho }, { x: s.epoch[s.epoch.length - 1], y: s.rho }], borderColor: COLORS[i % COLORS.length], borderDash: [2, 6], pointRadius: 0, borderWidth: 1 });
      }
    });
    const named = key === 'meanActivation' ? `${title} (${targetNote(runs)})` : title;
    const chart = new Chart(canvas, { type: 'line', data: { datasets }, options: curveOptions(named, lossLike && logOn() ? 'logarithmic' : 'linear', unit) });
    curveCharts.push(chart);
    if (lossLike) lossCharts.push(chart);
  }
}

function drawDiff(diff) {
  const head = document.querySelector('#diff thead');
  head.replaceChildren(el('tr', {}, el('th', {}, 'key'), ...diff.runIds.map(id => el('th', {}, id)), el('th', {}, 'meaning')));
  const row = r => el('tr', { class: r.differs ? 'differs' : '', 'data-key': r.key }, el('th', { scope: 'row' }, r.key),
    ...r.values.map(v => el('td', {}, v ?? '')), el('td', { class: 'muted' }, r.doc));
  // runs of one configuration: a line that says so, not a bare header
  document.querySelector('#diff tbody').replaceChildren(...(diff.differing > 0 ? diff.rows.filter(r => r.differs).map(row)
    : [el('tr', { id: 'diff-none' }, el('td', { class: 'muted', colspan: diff.runIds.length + 2 },
      'no key differs: the runs have the same configuration'))]));
  document.querySelector('#same tbody').replaceChildren(...diff.rows.filter(r => !r.differs).map(row));
  document.querySelector('#same summary').textContent = `${diff.rows.length - diff.differing} keys that agree`;
}

function nearest(epochs, e) {
  let best = epochs[0];
  for (const x of epochs) if (Math.abs(x - e) < Math.abs(best - e)) best = x;
  return best;
}

// ---- galleries and matched units

const galleries = [];   // { s, img, box, caption, table, epoch, order }

function sameShape(a, b) {
  return a && b && a.hidden === b.hidden && a.visible === b.visible;
}

async function matchUnits(ref, refEpoch, other, otherEpoch) {
  const key = `${ref}/${refEpoch}/${other}/${otherEpoch}`;
  if (!matchCache[key]) {
    matchCache[key] = getJson(runPath(ref, 'snapshots', refEpoch, 'match', other, otherEpoch)).then(m => m.units);
  }
  return matchCache[key];
}

function refGallery() { return galleries.find(g => g.s.snapshotEpochs.length); }

/** For each gallery: the unit matched to each unit of the first run's snapshot (null where no match). */
async function matchesNow() {
  const ref = refGallery();
  const out = new Map();
  if (!ref) return out;
  await Promise.all(galleries.map(async g => {
    if (!g.s.snapshotEpochs.length) return;
    if (g === ref) { out.set(g, null); return; }
    if (!sameShape(shapes[ref.s.run.runId], shapes[g.s.run.runId])) return;
    out.set(g, await matchUnits(ref.s.run.runId, ref.epoch, g.s.run.runId, g.epoch));
  }));
  return out;
}

function tileGeometry(g) {
  const shape = shapes[g.s.run.runId];
  const gridCols = Math.ceil(Math.sqrt(shape.hidden));
  return { gridCols, tileW: shape.imageCols * 2 + 1, tileH: shape.imageRows * 2 + 1, hidden: shape.hidden };
}

function tileAt(g, evt) {
  const img = g.img;
  const rect = img.getBoundingClientRect();
  const t = tileGeometry(g);
  const x = (evt.clientX - rect.left) * img.naturalWidth / rect.width - 1;
  const y = (evt.clientY - rect.top) * img.naturalHeight / rect.height - 1;
  const p = Math.floor(y / t.tileH) * t.gridCols + Math.floor(x / t.tileW);
  return p >= 0 && p < t.hidden ? p : null;
}

function highlight(g, position, unit) {
  g.box.querySelectorAll('.hl').forEach(h => h.remove());
  if (position === null || !g.img.naturalWidth) return;
  const t = tileGeometry(g);
  const W = g.img.naturalWidth, H = g.img.naturalHeight;
  const col = position % t.gridCols, row = Math.floor(position / t.gridCols);
  g.box.append(el('div', {
    class: 'hl', 'data-run': g.s.run.runId, 'data-unit': unit, 'data-position': position,
    style: `left:${100 * (1 + col * t.tileW) / W}%;top:${100 * (1 + row * t.tileH) / H}%;width:${100 * (t.tileW - 1) / W}%;height:${100 * (t.tileH - 1) / H}%`,
  }));
}

/** The clicked unit of one run, and the unit matched to it in every other run: highlighted, with curves and filmstrips. */
async function follow() {
  if (!selected) return;
  const matches = await matchesNow();
  const ordered = document.getElementById('by-match').checked;
  const from = galleries.find(g => g.s.run.runId === selected.runId);
  let refUnit = null;
  if (matches.has(from)) {
    const m = matches.get(from);
    refUnit = m === null ? selected.unit : m.indexOf(selected.unit);
  }
  const units = new Map();   // gallery -> unit
  for (const g of galleries) {
    if (g === from) units.set(g, selected.unit);
    else if (refUnit !== null && matches.has(g)) units.set(g, matches.get(g) === null ? refUnit : matches.get(g)[refUnit]);
  }
  for (const g of galleries) {
    const u = units.has(g) ? units.get(g) : null;
    // ordered by match, tile p of a matched run shows its unit m[p]; otherwise tile p shows unit p
    const m = ordered ? matches.get(g) : null;
    highlight(g, u === null ? null : (m ? m.indexOf(u) : u), u);
  }
  const panel = document.getElementById('unit-panel');
  panel.hidden = false;
  const names = [...units].map(([g, u]) => `${g.s.run.runId} unit ${u}`).join(', ');
  document.getElementById('unit-title').textContent = units.size > 1
    ? `Matched units: ${names}` : `${names} (no other run of the same shape to match)`;
  keepingFocus(panel, () => drawUnitRates(units));
  drawFilmstrips(units);
}

let unitChart = null;
function drawUnitRates(units) {
  const datasets = [];
  [...units].forEach(([g, u]) => {
    const i = runsData.indexOf(g.s);
    const map = rates[g.s.run.runId];
    if (!map) return;
    datasets.push({ label: `${g.s.run.runId} unit ${u}`, data: map.epochs.map((e, j) => ({ x: e, y: map.rows[j][u] })), ...style(i), pointRadius: 0, borderWidth: 1.8 });
    if (rhoInEffect(g.s) && g.s.rho !== null && map.epochs.length) {
      datasets.push({ label: `${g.s.run.runId} rho`, data: [{ x: map.epochs[0], y: g.s.rho }, { x: map.epochs[map.epochs.length - 1], y: g.s.rho }], borderColor: COLORS[i % COLORS.length], borderDash: [2, 6], borderWidth: 1, pointRadius: 0 });
    }
  });
  if (unitChart) unitChart.destroy();
  unitChart = new Chart(document.getElementById('chart-unit-rho'), { type: 'line', data: { datasets }, options: lineOptions(`rho_hat of the matched units (${targetNote([...units.keys()].map(g => g.s))})`, 'linear', 'rate, 0 to 1', words.axis) });
}

/** The most frames a filmstrip shows: a run with more snapshots shows that many of them, evenly spaced. */
const FRAMES = 60;

function drawFilmstrips(units) {
  const box = document.getElementById('filmstrips');
  box.replaceChildren(...[...units].map(([g, u]) => {
    const all = g.s.snapshotEpochs;
    const shown = spread(all, FRAMES);
    const total = Math.max(all.length, g.s.run.snapshots || 0);      // the answer lists at most 2,000 of them
    const which = shown.length < total ? `at ${shown.length} of its ${total.toLocaleString('en')} snapshots, evenly spaced` : 'at every snapshot';
    return el('div', {},
    el('div', { class: 'muted' }, `${g.s.run.runId} unit ${u} ${which}, by ${words.short}`),
    el('div', { class: 'filmstrip', 'data-run': g.s.run.runId, 'data-unit': u },
      ...shown.map(e => el('figure', { title: `unit ${u} at ${words.short} ${e}` },
        el('img', { src: `${runPath(g.s.run.runId, 'snapshots', e, 'filters', `${u}.png`)}?scale=4`, alt: `unit ${u} at ${words.short} ${e}` }),
        el('figcaption', {}, `${e}`)))));
  }));
}

let userEpoch = null;  // the slider's epoch once the user has moved it (kept when the galleries are drawn again)
let gallerySnapshots = '';  // the runs' snapshot epochs the galleries were drawn for

/**
 * A gallery's grid image loading, drawn or failed: a short text over the top left of its box until the image is there
 * (over the previous image when the epoch changes, so the layout does not move; the box of a first image is kept a
 * line high meanwhile). Styled through the style objects: the content security policy refuses a style element.
 */
function tileState(g, state) {
  g.box.dataset.state = state;
  g.box.style.minWidth = state === 'ready' ? '' : '240px';
  g.box.style.minHeight = state === 'ready' ? '' : '2.2em';
  g.img.style.visibility = state === 'failed' ? 'hidden' : '';
  g.status.hidden = state === 'ready';
  g.status.textContent = state === 'failed' ? 'weights could not be drawn' : state === 'loading' ? 'loading weights…' : '';
  g.status.classList.toggle('error', state === 'failed');
  g.status.classList.toggle('muted', state !== 'failed');
}

/**
 * The galleries and the epoch slider, drawn again when a run has a new snapshot (live updates). The slider steps over
 * the sorted union of the runs' snapshot epochs (its value is an index into them), so that the early snapshots
 * (1, 2, 4, ...) are as easy to reach as the late ones; each run shows its snapshot nearest to the chosen epoch.
 */
async function drawGalleries(runs) {
  const box = document.getElementById('galleries');
  const slider = document.getElementById('epoch');
  const byMatch = document.getElementById('by-match');
  gallerySnapshots = JSON.stringify(runs.map(s => s.snapshotEpochs));
  box.replaceChildren();
  galleries.length = 0;
  const withSnaps = runs.filter(s => s.snapshotEpochs.length);
  const maxEpoch = Math.max(0, ...withSnaps.map(s => Math.max(...s.snapshotEpochs)));
  const epochs = [...new Set(withSnaps.flatMap(s => s.snapshotEpochs))].sort((x, y) => x - y);   // the slider's stops
  const stopOf = e => epochs.indexOf(nearest(epochs, e));
  const epochAt = () => (epochs.length ? epochs[Number(slider.value)] : 0);
  // first shown: while some runs still train, the latest epoch all of those have reached, so that they are judged
  // at equal training with the others; once none trains, each run's last snapshot
  const stillTraining = withSnaps.filter(training);
  const common = stillTraining.length ? Math.min(...stillTraining.map(s => Math.max(...s.snapshotEpochs))) : maxEpoch;
  slider.min = 0;
  slider.max = Math.max(0, epochs.length - 1);
  slider.value = epochs.length ? stopOf(userEpoch !== null ? userEpoch : common) : 0;
  // a run's shape is its configuration's: read once per run, not again at each of its new snapshots
  await Promise.all(withSnaps.filter(s => !shapes[s.run.runId])
    .map(async s => { shapes[s.run.runId] = (await getJson(runPath(s.run.runId, 'snapshots')))[0]; }));
  for (const s of runs) {
    const img = el('img', { class: 'gallery-img', 'data-run': s.run.runId, alt: `weights of ${s.run.runId}` });
    const status = el('div', { class: 'tile-status muted', role: 'status', hidden: '' });
    // a button, so that the keyboard picks a filter too (the group page's thumbnails and the run page's weights are)
    const pick = el('button', { type: 'button', class: 'image-button', 'data-run': s.run.runId }, img);
    const tiles = el('div', { class: 'tile-box' }, pick, status);
    const caption = el('div', { class: 'muted' }, s.run.runId);
    const table = measuresTable(null, { 'data-run': s.run.runId });
    // a run without measured snapshots says so, not a table of six names and no values
    const noMeasures = el('p', { class: 'muted no-measures', 'data-run': s.run.runId, hidden: '' }, 'no filter measures yet');
    box.append(el('div', { class: 'gallery' }, caption, s.snapshotEpochs.length ? tiles : el('p', { class: 'muted' }, 'no snapshots yet'), table, noMeasures));
    const g = { s, img, pick, box: tiles, status, caption, table, noMeasures, epoch: null };
    const current = () => { const h = g.box.querySelector('.hl'); return h ? Number(h.dataset.position) : null; };
    // clicked: the filter under the pointer; pressed from the keyboard (a click with no pointer: detail 0), the
    // filter followed in this run, else its first
    pick.addEventListener('click', evt => {
      const p = evt.detail > 0 ? tileAt(g, evt) : current() ?? 0;
      if (p === null) return;
      selectTile(g, p);
    });
    // the arrow keys step to the next filter, or the one above or below in the grid
    pick.addEventListener('keydown', evt => {
      const t = tileGeometry(g);
      const by = { ArrowLeft: -1, ArrowRight: 1, ArrowUp: -t.gridCols, ArrowDown: t.gridCols }[evt.key];
      if (by === undefined) return;
      evt.preventDefault();
      const p = current();
      selectTile(g, p === null ? 0 : Math.min(t.hidden - 1, Math.max(0, p + by)));
    });
    img.addEventListener('load', () => {
      // small snapshots (few units, small images) are drawn at least 240 px wide, pixels kept square
      img.style.width = img.naturalWidth < 240 ? '240px' : '';
      // drawn smaller than its pixels (196 filters at scale 2 in a 560 px box): smoothed, as on the run page, not
      // every third pixel dropped
      img.style.imageRendering = img.naturalWidth > img.clientWidth ? 'auto' : '';
      tileState(g, 'ready');
      if (selected) follow();
    });
    img.addEventListener('error', () => tileState(g, 'failed'));
    galleries.push(g);
  }
  const ref = refGallery();
  const shapesDiffer = ref && withSnaps.some(s => !sameShape(shapes[s.run.runId], shapes[ref.s.run.runId]));
  document.getElementById('match-note').textContent = shapesDiffer ? 'runs of another shape than the first are not matched' : '';
  const show = async () => {
    const e = epochAt();
    slider.setAttribute('aria-valuetext', `${words.short} ${e}`);
    for (const g of galleries) {
      const m = nearestMeasures(measures[g.s.run.runId] || [], e);
      const fresh = measuresTable(m, { 'data-run': g.s.run.runId, 'data-epoch': m ? m.epoch : '' });
      g.table.replaceChildren(...fresh.childNodes);
      g.table.dataset.epoch = m ? m.epoch : '';
      g.table.title = m ? `filter measures of the snapshot at ${words.short} ${m.epoch}` : 'no filter measures yet';
      g.table.hidden = !m;
      g.noMeasures.hidden = !!m;
      if (g.s.snapshotEpochs.length) g.epoch = nearest(g.s.snapshotEpochs, e);
    }
    const shown = galleries.filter(g => g.s.snapshotEpochs.length);
    const epochLabel = document.getElementById('epoch-label');
    const differ = new Set(shown.map(g => g.epoch)).size > 1;
    slider.disabled = !shown.length;
    epochLabel.textContent = !shown.length ? 'no weight snapshot yet'
      : differ
      ? `${e}: the runs are shown at different ${words.plural} (${shown.map(g => `${g.s.run.runId} ${g.epoch}`).join(', ')})`
      : `${shown[0].epoch} (nearest snapshot of each run)`;
    epochLabel.classList.toggle('warn', differ);
    const r = refGallery();
    for (const g of galleries) {
      if (!g.s.snapshotEpochs.length) continue;
      let src = `${runPath(g.s.run.runId, 'snapshots', g.epoch, 'grid.png')}?scale=2`;
      const matched = byMatch.checked && r && g !== r && sameShape(shapes[r.s.run.runId], shapes[g.s.run.runId]);
      if (matched) src += `&matchTo=${encodeURIComponent(r.s.run.runId)}&matchEpoch=${r.epoch}`;
      g.img.dataset.epoch = g.epoch;
      g.img.dataset.ordered = matched ? 'match' : 'unit';
      if (g.img.getAttribute('src') !== src) {
        tileState(g, 'loading');
        g.img.src = src;
      }
      g.caption.textContent = `${label(g.s)} — ${(stepOf[g.s.run.runId] || words).short} ${g.epoch}${matched ? ', ordered by match' : ''}`;
      g.img.alt = `weights of ${g.caption.textContent}`;
      g.pick.setAttribute('aria-label', `${g.img.alt}; Enter follows a filter's unit in every run, the arrow keys step the filters`);
    }
    if (selected) follow();
  };
  slider.oninput = () => { userEpoch = epochAt(); show(); };
  byMatch.onchange = show;
  await show();
}

async function selectTile(g, position) {
  const ordered = document.getElementById('by-match').checked;
  let unit = position;
  if (ordered) {
    const matches = await matchesNow();
    const m = matches.get(g);
    if (m) unit = m[position];
  }
  selected = { runId: g.s.run.runId, unit };
  follow();
}

// ---- heat maps: one diverging scale for every run, centred on the target rho (blue below, white at, red above)

function heatColor(v, centre) {
  if (typeof v !== 'number') return [255, 0, 255];
  const below = v < centre;
  const t = below ? Math.min(1, (centre - v) / centre) : Math.min(1, (v - centre) / (1 - centre));
  const k = Math.pow(t, 0.6);
  return below
    ? [Math.round(255 * (1 - k * 0.88)), Math.round(255 * (1 - k * 0.7)), 255 - Math.round(k * 80)]
    : [255 - Math.round(k * 75), Math.round(255 * (1 - k * 0.88)), Math.round(255 * (1 - k * 0.88))];
}

function colourBar(centre, named, note) {
  const canvas = el('canvas', { width: 240, height: 14, id: 'heat-bar', 'data-min': 0, 'data-max': 1, 'data-centre': centre, role: 'img',
    'aria-label': `colour scale of the heat maps: blue below ${named}, white at it, red above` });
  const ctx = canvas.getContext('2d');
  for (let x = 0; x < 240; x++) {
    const [r, g, b] = heatColor(x / 239, centre);
    ctx.fillStyle = `rgb(${r},${g},${b})`;
    ctx.fillRect(x, 0, 1, 14);
  }
  ctx.fillStyle = '#000';
  ctx.fillRect(Math.round(centre * 239), 0, 1, 14);
  document.getElementById('heat-scale').replaceChildren(el('span', {}, '0 (silent)'), canvas, el('span', {}, '1 (always on)'),
    el('span', { id: 'heat-centre' }, `· white = ${named}${note}: blue below, red above`));
}

function drawHeatmaps(runs) {
  const box = document.getElementById('heatmaps');
  const sorted = document.getElementById('sort-units').checked;
  // centred on the target rho of the runs with beta > 0; where every run has beta = 0, on their rho, said to be no target
  const numbers = list => [...new Set(list.map(s => s.rho).filter(r => typeof r === 'number'))];
  const rhos = numbers(runs.filter(rhoInEffect));
  if (rhos.length) {
    colourBar(rhos[0], `target rho ${rhos[0]}`, `${rhos.length > 1 ? ` (of the first run; others: ${rhos.slice(1).join(', ')})` : ''}`
      + `${runs.some(s => !rhoInEffect(s)) ? ' (beta = 0 runs have none: rho has no effect there)' : ''}`);
  } else {
    const centre = numbers(runs)[0] ?? 0.05;
    colourBar(centre, `rho ${centre}`, ' (no target: at beta = 0 rho has no effect)');
  }
  const centre = rhos.length ? rhos[0] : numbers(runs)[0] ?? 0.05;
  box.replaceChildren();
  for (const s of runs) {
    const map = rates[s.run.runId];
    const fig = el('figure', { class: 'heatmap' });
    box.append(fig);
    const own = stepOf[s.run.runId] || words;   // each map is one run's: its own word, also on a page of both kinds
    if (!map || !map.rows.length) { fig.append(el('p', { class: 'muted' }, `${s.run.runId}: no ${own.plural} yet`)); continue; }
    const last = map.rows[map.rows.length - 1];
    const order = [...Array(map.units).keys()];
    if (sorted) order.sort((a, b) => (last[b] ?? -1) - (last[a] ?? -1));
    const canvas = el('canvas', { width: map.units, height: map.rows.length, 'data-run': s.run.runId, 'data-min': 0, 'data-max': 1,
      'data-centre': centre, 'data-order': sorted ? 'rate' : 'unit' });
    canvas.style.width = `${Math.max(196, map.units * 2)}px`;
    canvas.style.height = `${Math.max(100, map.rows.length * 2)}px`;
    const ctx = canvas.getContext('2d');
    const img = ctx.createImageData(map.units, map.rows.length);
    map.rows.forEach((r, y) => order.forEach((u, x) => img.data.set([...heatColor(r[u], centre), 255], 4 * (y * map.units + x))));
    ctx.putImageData(img, 0, 0);
    const text = `${s.run.runId} (${rhoInEffect(s) ? `target rho ${s.rho}` : `beta 0: rho ${s.rho} has no effect`}): ${own.plural} ${map.epochs[0]}–${map.epochs[map.epochs.length - 1]}, ${map.units} units${sorted ? ', most active first' : ''}`;
    // an image for a screen reader, named by what it shows (the rates themselves: the run page's metrics downloads)
    canvas.setAttribute('role', 'img');
    canvas.setAttribute('aria-label', `heat map of the per-unit activation rate of ${text}`);
    fig.append(canvas, el('figcaption', { class: 'muted' }, text));
  }
}

function drawMeasureCharts(runs) {
  const box = document.getElementById('measure-charts');
  const list = document.getElementById('constant-measures');
  box.replaceChildren();
  list.replaceChildren();
  const rowsOf = s => measures[s.run.runId] || [];
  for (const [key, title, , , unit] of MEASURES) {
    // a snapshot where the measure says nothing (the stroke share where every unit is dead) is left out, and said
    const value = m => (typeof m[key] === 'number' && !meaningless(m, key) ? m[key] : null);
    const deadAt = s => rowsOf(s).filter(m => typeof m[key] === 'number' && meaningless(m, key));
    for (const s of runs.filter(r => deadAt(r).length)) {
      list.append(el('li', { 'data-figure': `m-${key}-dead`, 'data-run': s.run.runId, title: measureTitle(key) },
        `${title}: ${s.run.runId} all dead at ${stepsText(rowsOf(s), deadAt(s), stepOf[s.run.runId] || words)}, not drawn`));
    }
    const series = runs.map(s => rowsOf(s).map(value));
    if (!series.some(v => numbers(v).length)) {
      // runs still queued or running will have it, unless one that finished has none (a figure not measured here)
      const waiting = runs.some(training) && !runs.some(s => s.run.status === 'finished');
      if (!runs.some(s => deadAt(s).length)) list.append(el('li', { 'data-figure': `m-${key}`, title: measureTitle(key) },
        `${title}: ${waiting ? 'not measured yet (runs queued or running)' : 'not measured in these runs'}`));
      continue;
    }
    const why = s => (!rowsOf(s).length ? 'no filter measures yet' : deadAt(s).length ? 'all dead' : 'not measured');
    const per = constantPerRun(series);
    if (per) { constantLine(list, `m-${key}`, title, per, runs, why, s => (deadAt(s).length ? ' at its other snapshots' : '')); continue; }
    const canvas = el('canvas', { id: `chart-m-${key}` });
    box.append(chartCell(canvas, { class: 'chart', title: measureTitle(key) }));
    const datasets = curveDatasets(s => rowsOf(s).map(m => ({ x: m.epoch, y: value(m) })),
      { pointRadius: 2, borderWidth: 1.8 }, { min: 0, max: 1 });
    curveCharts.push(new Chart(canvas, { type: 'line', data: { datasets }, options: curveOptions(title, 'linear', unit) }));
  }
}

/**
 * The steps of some of a run's measured snapshots, consecutive measured ones as a range: "epochs 4–8, 32" (rows: all
 * the run's measured snapshots, oldest first; some: those to name).
 */
function stepsText(rows, some, w) {
  const ranges = [];
  rows.forEach((m, j) => {
    if (!some.includes(m)) return;
    const last = ranges[ranges.length - 1];
    if (last && last.end === j - 1) { last.to = m.epoch; last.end = j; } else ranges.push({ from: m.epoch, to: m.epoch, end: j });
  });
  const one = ranges.length === 1 && ranges[0].from === ranges[0].to;
  return `${one ? w.short : w.plural} ${ranges.map(r => (r.from === r.to ? `${r.from}` : `${r.from}–${r.to}`)).join(', ')}`;
}

/** The curves and the measure charts, drawn again (the seed toggle changed, or the runs did); a chart's numbers keep the focus. */
function drawCurves(runs) {
  keepingFocus(document.getElementById('body'), () => {
    curveCharts.forEach(c => c.destroy());
    curveCharts = [];
    drawCharts(runs);
    drawMeasureCharts(runs);
  });
}

/**
 * Over the curves, in words, when a run is long enough for them to be thinned (the API draws every k-th epoch of a
 * configuration's runs, so that they and a mean over seeds line up, each configuration by its own stride; a live run is
 * thinned again at every refresh, by the same rule). data-stride: the coarsest.
 */
function sayThinned(data) {
  const note = document.getElementById('thinned');
  note.textContent = thinnedRunsText(data.runs, words);
  note.hidden = !data.thinned;
  if (data.thinned) note.dataset.stride = data.thinned.stride; else delete note.dataset.stride;
}

/** The ladder between exactly two runs of different configurations (the ladder API refuses identical ones). */
function ladderButton(diff) {
  if (ids.length !== 2 || diff.differing === 0) return;
  document.getElementById('ladder-box').hidden = false;
  document.getElementById('ladder').addEventListener('click', async () => {
    const order = document.getElementById('ladder-order').value.split(',').map(k => k.trim()).filter(Boolean);
    const err = document.getElementById('ladder-error');
    err.textContent = '';
    try {
      // seeds as typed ('' is one): the server reads and refuses it, naming it
      const seeds = document.getElementById('ladder-seeds').value.trim();
      const res = await postJson('/api/ladder', { a: ids[0], b: ids[1], order, ...(seeds ? { seeds } : {}) });
      location.href = `/group.html?name=${encodeURIComponent(res.group)}`;
    } catch (e) {
      err.textContent = e.message;
    }
  });
}

async function main() {
  // the title names what was asked for, a refused id too (the line under it says which are no run ids)
  const named = asked.map(a => a.slice(0, 40));
  document.getElementById('title').textContent = named.join(' vs ');
  document.title = `sparselab — compare ${named.join(' vs ')}`;
  if (ids.length !== asked.length) {
    document.getElementById('error').textContent = `not run ids: ${asked.filter(a => !isRunId(a)).map(a => a.slice(0, 40)).join(', ')}`;
    document.getElementById('body').hidden = true;
    return;
  }
  try {
    const data = await load();
    const optimizer = data.diff.rows.find(r => r.key === 'optimizer');
    words = stepWords(optimizer ? optimizer.values : []);
    stepOf = Object.fromEntries(data.diff.runIds.map((id, i) => [id, stepWords([optimizer ? optimizer.values[i] : null])]));
    alsoDiffer = data.diff.rows.filter(r => r.differs && r.key !== 'beta')
      .map(r => ({ key: r.key, values: Object.fromEntries(data.diff.runIds.map((id, i) => [id, r.values[i]])) }));
    document.getElementById('epoch-name').textContent = words.axis;
    document.getElementById('heat-rows').textContent = `(rows: ${words.plural}, first at the top; columns: hidden units)`;
    drawDiff(data.diff);
    ladderButton(data.diff);
    await drawGalleries(data.runs);
    const replicates = configs.some(c => c.runs.length > 1);
    document.getElementById('by-seed-box').hidden = !replicates;
    document.getElementById('by-seed').checked = replicates;
    document.getElementById('by-seed-note').textContent = replicates ? `${plural(configs.length, 'configuration')} of ${plural(data.runs.length, 'run')}` : '';
    document.getElementById('by-seed').addEventListener('change', () => drawCurves(runsData));
    document.getElementById('logscale').addEventListener('change', e => {
      for (const c of lossCharts) {
        c.options.scales.y.type = e.target.checked ? 'logarithmic' : 'linear';
        c.update();
      }
    });
    drawCurves(data.runs);
    sayThinned(data);
    drawHeatmaps(data.runs);
    document.getElementById('sort-units').addEventListener('change', () => drawHeatmaps(runsData));
    followTraining(data.runs);
  } catch (e) {
    say(document.getElementById('error'), e.message);
    document.getElementById('body').hidden = true;      // an unknown run or a refused list: the error alone, no empty sections
  }
}

let feeds = [];

/** While some of the runs train, follows them (the stream of each, or polling) and draws the page again as they change. */
function followTraining(runs) {
  if (feeds.length || !runs.some(training)) return;
  const again = throttle(() => refresh().catch(e => say(document.getElementById('error'), e.message)), 3000);
  feeds = runs.filter(training).map(s => live(`run=${encodeURIComponent(s.run.runId)}`, again, again, 10000));
}

/** The runs' figures and snapshots, with each run's flags, filter measures and rates; kept as the page's data. */
async function load() {
  const data = await getJson(`/api/compare?runs=${encodeURIComponent(ids.join(','))}`);
  await Promise.all(data.runs.map(async s => {
    const id = s.run.runId;
    [s.flags, measures[id], rates[id]] = await Promise.all([getFlags(id), getJson(runPath(id, 'measures')),
      getJson(`${runPath(id, 'rhohat')}?rows=200`)]);
  }));
  runsData = data.runs;
  configs = configurations(data.diff, data.runs);
  return data;
}

/** Everything read again; curves, heat maps and (on a new snapshot) galleries redrawn. */
async function refreshOnce() {
  const data = await load();
  if (JSON.stringify(data.runs.map(s => s.snapshotEpochs)) !== gallerySnapshots) await drawGalleries(data.runs);
  drawCurves(data.runs);
  sayThinned(data);
  drawHeatmaps(data.runs);
  document.documentElement.dataset.refreshed = String(Number(document.documentElement.dataset.refreshed || 0) + 1);
  if (!data.runs.some(training)) { feeds.forEach(f => f.stop()); feeds = []; }
}
/** Never two at once: a late answer is not drawn over a newer one. */
const refresh = oneAtATime(refreshOnce);

main();
