// The compare page: curves of 2 to 8 runs (selection in the URL), the configuration diff, weight galleries
// at one shared epoch, and a heat map of every unit's activation rate per run.
import { getJson, postJson, el } from './api.js';
import { MEASURES, nearestMeasures, measuresTable } from './measures.js';

const ids = (new URLSearchParams(location.search).get('runs') || '').split(',').filter(Boolean);
const COLORS = ['#2557d6', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf'];
const FIGURES = [
  ['loss', 'loss (recon + decay + penalty)'],
  ['recon', 'reconstruction error'],
  ['heldout', 'held-out error'],
  ['penalty', 'sparsity penalty'],
  ['meanActivation', 'mean activation (dashed: target rho)'],
  ['meanAbsSp', 'mean |sp|'],
  ['clippedFraction', 'limiter clipped fraction'],
];
const charts = [];
const measures = {};

function points(s, key) {
  return s.epoch.map((e, i) => ({ x: e, y: typeof s[key][i] === 'number' ? s[key][i] : null }));
}

function drawCharts(runs) {
  const box = document.getElementById('charts');
  for (const [key, title] of FIGURES) {
    const canvas = el('canvas', { id: `chart-${key}` });
    box.append(el('div', { class: 'chart' }, canvas));
    const datasets = [];
    runs.forEach((s, i) => {
      const color = COLORS[i % COLORS.length];
      const label = `${s.run.runId} (beta ${s.run.beta})`;
      datasets.push({ label, data: points(s, key), borderColor: color, backgroundColor: color, pointRadius: 0, borderWidth: 1.5, spanGaps: false });
      // at the diverged epoch's value, or the last finite one before it when that is infinite or NaN
      const diverged = s.divergedEpochs.map(e => {
        let i2 = s.epoch.indexOf(e);
        while (i2 >= 0 && typeof s[key][i2] !== 'number') i2--;
        return { x: e, y: i2 >= 0 ? s[key][i2] : null };
      }).filter(p => p.y !== null);
      if (diverged.length) {
        datasets.push({ label: `${s.run.runId} diverged`, data: diverged, type: 'scatter', pointStyle: 'crossRot', pointRadius: 9, borderColor: '#c62828', borderWidth: 3, showLine: false });
      }
      // divergence flags (GET /api/runs/{id}/flags) as triangles at the flagged epoch; the cause shows on hover
      const flagged = (s.flags || []).map(f => ({ x: f.epoch, y: s[key][s.epoch.indexOf(f.epoch)], cause: f.cause, detail: f.detail }))
        .filter(p => typeof p.y === 'number');
      if (flagged.length) {
        datasets.push({ label: `${s.run.runId} flags`, data: flagged, type: 'scatter', pointStyle: 'triangle', pointRadius: 7, borderColor: '#e65100', backgroundColor: '#ffb74d', showLine: false });
      }
      if (key === 'meanActivation' && s.rho !== null && s.epoch.length) {
        datasets.push({ label: `${s.run.runId} rho`, data: [{ x: s.epoch[0], y: s.rho }, { x: s.epoch[s.epoch.length - 1], y: s.rho }], borderColor: color, borderDash: [6, 4], pointRadius: 0, borderWidth: 1 });
      }
    });
    charts.push(new Chart(canvas, {
      type: 'line',
      data: { datasets },
      options: {
        animation: false, maintainAspectRatio: false, parsing: true,
        plugins: {
          title: { display: true, text: title }, legend: { labels: { boxWidth: 12, font: { size: 11 } } },
          tooltip: { callbacks: { label: c => c.raw && c.raw.cause ? `${c.raw.cause}: ${c.raw.detail}` : `${c.dataset.label}: ${c.formattedValue}` } },
        },
        scales: { x: { type: 'linear', title: { display: true, text: 'epoch' } }, y: { type: 'linear' } },
      },
    }));
  }
  document.getElementById('logscale').addEventListener('change', e => {
    for (const c of charts) {
      c.options.scales.y.type = e.target.checked ? 'logarithmic' : 'linear';
      c.update();
    }
  });
}

function drawDiff(diff) {
  const head = document.querySelector('#diff thead');
  head.replaceChildren(el('tr', {}, el('th', {}, 'key'), ...diff.runIds.map(id => el('th', {}, id)), el('th', {}, 'meaning')));
  const row = r => el('tr', { class: r.differs ? 'differs' : '', 'data-key': r.key }, el('td', {}, r.key),
    ...r.values.map(v => el('td', {}, v ?? '')), el('td', { class: 'muted' }, r.doc));
  document.querySelector('#diff tbody').replaceChildren(...diff.rows.filter(r => r.differs).map(row));
  document.querySelector('#same tbody').replaceChildren(...diff.rows.filter(r => !r.differs).map(row));
  document.querySelector('#same summary').textContent = `${diff.rows.length - diff.differing} keys that agree`;
}

function nearest(epochs, e) {
  let best = epochs[0];
  for (const x of epochs) if (Math.abs(x - e) < Math.abs(best - e)) best = x;
  return best;
}

function enlarge(runId, epoch, evt) {
  const img = evt.target;
  const d = img.dataset;
  const rect = img.getBoundingClientRect();
  const x = (evt.clientX - rect.left) * img.naturalWidth / rect.width - 1;
  const y = (evt.clientY - rect.top) * img.naturalHeight / rect.height - 1;
  const unit = Math.floor(y / Number(d.tileH)) * Number(d.gridCols) + Math.floor(x / Number(d.tileW));
  if (!(unit >= 0 && unit < Number(d.hidden))) return;
  const over = el('div', { class: 'overlay', onclick: () => over.remove() },
    el('figure', {}, el('img', { src: `/api/runs/${runId}/snapshots/${epoch}/filters/${unit}.png?scale=16`, alt: `unit ${unit}` }),
      el('figcaption', { style: 'color:#fff' }, `${runId}, epoch ${epoch}, unit ${unit}`)));
  document.body.append(over);
}

async function drawGalleries(runs) {
  const box = document.getElementById('galleries');
  const slider = document.getElementById('epoch');
  const withSnaps = runs.filter(s => s.snapshotEpochs.length);
  const maxEpoch = Math.max(0, ...withSnaps.map(s => Math.max(...s.snapshotEpochs)));
  slider.max = maxEpoch;
  slider.value = maxEpoch;
  const shapes = {};
  await Promise.all(withSnaps.map(async s => { shapes[s.run.runId] = (await getJson(`/api/runs/${s.run.runId}/snapshots`))[0]; }));
  const imgs = runs.map(s => {
    const img = el('img', { class: 'gallery-img', 'data-run': s.run.runId, alt: `weights of ${s.run.runId}` });
    const shape = shapes[s.run.runId];
    if (shape) {
      const gridCols = Math.ceil(Math.sqrt(shape.hidden));
      Object.assign(img.dataset, { gridCols, hidden: shape.hidden, tileW: shape.imageCols * 2 + 1, tileH: shape.imageRows * 2 + 1 });
    }
    const caption = el('div', { class: 'muted' }, s.run.runId);
    img.addEventListener('click', evt => enlarge(s.run.runId, img.dataset.epoch, evt));
    const table = measuresTable(null, { 'data-run': s.run.runId });
    box.append(el('div', { class: 'gallery' }, caption, s.snapshotEpochs.length ? img : el('p', { class: 'muted' }, 'no snapshots yet'), table));
    return { s, img, caption, table };
  });
  const show = () => {
    const e = Number(slider.value);
    document.getElementById('epoch-label').textContent = `${e} (nearest snapshot of each run)`;
    for (const { s, img, caption, table } of imgs) {
      const m = nearestMeasures(measures[s.run.runId] || [], e);
      const fresh = measuresTable(m, { 'data-run': s.run.runId, 'data-epoch': m ? m.epoch : '' });
      table.replaceChildren(...fresh.childNodes);
      table.dataset.epoch = m ? m.epoch : '';
      table.title = m ? `filter measures of the snapshot at epoch ${m.epoch}` : 'no filter measures yet';
      if (!s.snapshotEpochs.length) continue;
      const n = nearest(s.snapshotEpochs, e);
      const src = `/api/runs/${s.run.runId}/snapshots/${n}/grid.png?scale=2`;
      if (img.getAttribute('src') !== src) {
        img.dataset.epoch = n;
        img.src = src;
      }
      caption.textContent = `${s.run.runId} (beta ${s.run.beta}) — epoch ${n}`;
    }
  };
  slider.addEventListener('input', show);
  show();
}

function heatColor(t) {
  // dark blue (0) -> teal -> yellow (1)
  const r = Math.round(255 * Math.min(1, Math.max(0, 1.8 * t - 0.6)));
  const g = Math.round(255 * Math.min(1, 0.15 + 0.85 * t));
  const b = Math.round(255 * Math.max(0, 0.55 - 0.55 * t));
  return [r, g, b];
}

async function drawHeatmaps(runs) {
  const box = document.getElementById('heatmaps');
  for (const s of runs) {
    const map = await getJson(`/api/runs/${s.run.runId}/rhohat?rows=200`);
    const fig = el('figure', { class: 'heatmap' });
    box.append(fig);
    if (!map.rows.length) { fig.append(el('p', { class: 'muted' }, `${s.run.runId}: no epochs yet`)); continue; }
    let max = 0;
    for (const r of map.rows) for (const v of r) if (typeof v === 'number' && v > max) max = v;
    max = max || 1;
    const canvas = el('canvas', { width: map.units, height: map.rows.length, 'data-run': s.run.runId });
    canvas.style.width = `${Math.max(196, map.units * 2)}px`;
    canvas.style.height = `${Math.max(100, map.rows.length * 2)}px`;
    const ctx = canvas.getContext('2d');
    const img = ctx.createImageData(map.units, map.rows.length);
    map.rows.forEach((r, y) => r.forEach((v, x) => {
      const [cr, cg, cb] = typeof v === 'number' ? heatColor(v / max) : [255, 0, 255];
      const o = 4 * (y * map.units + x);
      img.data.set([cr, cg, cb, 255], o);
    }));
    ctx.putImageData(img, 0, 0);
    fig.append(canvas, el('figcaption', { class: 'muted' },
      `${s.run.runId}: epochs ${map.epochs[0]}–${map.epochs[map.epochs.length - 1]}, ${map.units} units; color 0 → ${max.toFixed(3)} (target rho ${s.rho})`));
  }
}

function drawMeasureCharts(runs) {
  const box = document.getElementById('measure-charts');
  for (const [key, title] of MEASURES) {
    const canvas = el('canvas', { id: `chart-m-${key}` });
    box.append(el('div', { class: 'chart' }, canvas));
    const datasets = runs.map((s, i) => {
      const color = COLORS[i % COLORS.length];
      const data = (measures[s.run.runId] || []).map(m => ({ x: m.epoch, y: typeof m[key] === 'number' ? m[key] : null }));
      return { label: `${s.run.runId} (beta ${s.run.beta})`, data, borderColor: color, backgroundColor: color, pointRadius: 2, borderWidth: 1.5 };
    });
    new Chart(canvas, {
      type: 'line',
      data: { datasets },
      options: {
        animation: false, maintainAspectRatio: false,
        plugins: { title: { display: true, text: title }, legend: { labels: { boxWidth: 12, font: { size: 11 } } } },
        scales: { x: { type: 'linear', title: { display: true, text: 'epoch' } }, y: { type: 'linear' } },
      },
    });
  }
}

function ladderButton() {
  if (ids.length !== 2) return;
  document.getElementById('ladder-box').hidden = false;
  document.getElementById('ladder').addEventListener('click', async () => {
    const order = document.getElementById('ladder-order').value.split(',').map(k => k.trim()).filter(Boolean);
    const err = document.getElementById('ladder-error');
    err.textContent = '';
    try {
      const res = await postJson('/api/ladder', { a: ids[0], b: ids[1], order });
      location.href = `/group.html?name=${encodeURIComponent(res.group)}`;
    } catch (e) {
      err.textContent = e.message;
    }
  });
}

async function main() {
  document.getElementById('title').textContent = ids.join(' vs ');
  try {
    const data = await getJson(`/api/compare?runs=${encodeURIComponent(ids.join(','))}`);
    await Promise.all(data.runs.map(async s => { s.flags = await getJson(`/api/runs/${s.run.runId}/flags`); }));
    drawCharts(data.runs);
    drawDiff(data.diff);
    ladderButton();
    await Promise.all(data.runs.map(async s => { measures[s.run.runId] = await getJson(`/api/runs/${s.run.runId}/measures`); }));
    drawMeasureCharts(data.runs);
    await drawGalleries(data.runs);
    await drawHeatmaps(data.runs);
  } catch (e) {
    document.getElementById('error').textContent = e.message;
  }
}

main();
