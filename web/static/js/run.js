// The run page: configuration, actions, downloads, a weight snapshot (click a filter to enlarge), the timeline.
import { getJson, postJson, el, statusBadge } from './api.js';
import { nearestMeasures, measuresTable } from './measures.js';

const id = new URLSearchParams(location.search).get('id') || '';
const error = document.getElementById('error');

async function act(path, then) {
  try {
    const res = await postJson(path);
    then ? then(res) : load();
  } catch (e) {
    error.textContent = e.message;
  }
}

document.getElementById('cancel').addEventListener('click', () => act(`/api/runs/${id}/cancel`));
document.getElementById('resume').addEventListener('click', () => act(`/api/runs/${id}/resume`));
document.getElementById('twin').addEventListener('click', () => act(`/api/runs/${id}/twin`, r => { location.href = `/run.html?id=${r.runId}`; }));
document.getElementById('clone').href = `/launch.html?from=${encodeURIComponent(id)}`;
document.getElementById('csv').href = `/api/runs/${id}/metrics.csv`;
document.getElementById('json').href = `/api/runs/${id}/metrics.json`;

const snapshot = document.getElementById('snapshot');
const grid = document.getElementById('grid');
let shapes = [];
let measures = [];
snapshot.addEventListener('change', showSnapshot);
grid.addEventListener('click', evt => {
  const s = shapes.find(x => String(x.epoch) === snapshot.value);
  if (!s) return;
  const rect = grid.getBoundingClientRect();
  const gridCols = Math.ceil(Math.sqrt(s.hidden));
  const x = (evt.clientX - rect.left) * grid.naturalWidth / rect.width - 1;
  const y = (evt.clientY - rect.top) * grid.naturalHeight / rect.height - 1;
  const unit = Math.floor(y / (s.imageRows * 3 + 1)) * gridCols + Math.floor(x / (s.imageCols * 3 + 1));
  if (!(unit >= 0 && unit < s.hidden)) return;
  const over = el('div', { class: 'overlay', onclick: () => over.remove() },
    el('figure', {}, el('img', { src: `/api/runs/${id}/snapshots/${s.epoch}/filters/${unit}.png?scale=16`, alt: `unit ${unit}` }),
      el('figcaption', { style: 'color:#fff' }, `epoch ${s.epoch}, unit ${unit}`)));
  document.body.append(over);
});

function showSnapshot() {
  if (!snapshot.value) return;
  grid.src = `/api/runs/${id}/snapshots/${snapshot.value}/grid.png?scale=3`;
  document.getElementById('weights').href = `/api/runs/${id}/snapshots/${snapshot.value}/weights.bin`;
  const m = nearestMeasures(measures, Number(snapshot.value));
  document.getElementById('measures').replaceChildren(m
    ? el('div', {}, el('div', { class: 'muted' }, `filter measures at epoch ${m.epoch}`), measuresTable(m, { id: 'measures-table' }))
    : el('div', { class: 'muted' }, 'no filter measures yet'));
}

function describe(e) {
  const p = e.payload;
  switch (e.type) {
    case 'epoch_completed': return `epoch ${p.epoch}: loss ${p.loss?.toPrecision?.(4)} recon ${p.recon?.toPrecision?.(4)} mean act ${p.meanActivation?.toPrecision?.(3)}${p.diverged ? ' DIVERGED' : ''}`;
    case 'weight_snapshot': return `epoch ${p.epoch}: ${p.hidden} filters of ${p.imageRows}x${p.imageCols}`;
    case 'started': return `pid ${p.pid} on ${p.host}, ${p.threads} threads, from epoch ${p.fromEpoch}`;
    case 'created': return `origin ${p.origin}${p.preset ? ', preset ' + p.preset : ''}${p.group ? ', group ' + p.group : ''}`
      + (p.ladder ? `, ladder step ${p.ladder.step} of ${p.ladder.steps - 1}${p.ladder.changedKeys.length ? ' (' + p.ladder.changedKeys.join(', ') + ')' : ''}` : '');
    case 'filter_measures': {
      const v = x => (typeof x === 'number' ? x.toPrecision(3) : '—');
      return `epoch ${p.epoch}: locality ${v(p.locality)}, dead ${v(p.deadFraction)}, saturated ${v(p.saturatedFraction)}, lifetime sparsity ${v(p.lifetimeSparsity)}, digit-likeness ${v(p.digitLikeness)}`;
    }
    case 'failed': return p.error;
    case 'diverged': return `epoch ${p.epoch}: ${p.reason}`;
    case 'tagged': return p.tags.join(', ');
    default: return JSON.stringify(p);
  }
}

async function load() {
  error.textContent = '';
  try {
    const [run, events, snaps, ms] = await Promise.all([getJson(`/api/runs/${id}`), getJson(`/api/runs/${id}/events`),
      getJson(`/api/runs/${id}/snapshots`), getJson(`/api/runs/${id}/measures`)]);
    measures = ms;
    const s = run.summary;
    document.getElementById('run-id').textContent = s.runId;
    document.getElementById('run-status').replaceWith(Object.assign(statusBadge(s.status), { id: 'run-status' }));
    document.getElementById('summary').textContent =
      `${s.epochsDone}/${s.epochsTotal} epochs · origin ${s.origin || ''}${s.preset ? ' · preset ' + s.preset : ''}` +
      `${run.dataFingerprint ? ' · data ' + run.dataFingerprint.slice(0, 12) : ''}${s.error ? ' · error: ' + s.error : ''}`;
    if (s.group) {
      document.getElementById('summary').append(' · group ', el('a', { id: 'group-link', href: `/group.html?name=${encodeURIComponent(s.group)}` }, s.group));
    }
    for (const a of ['cancel', 'resume', 'twin']) document.getElementById(a).disabled = !run.actions.includes(a);
    document.querySelector('#config tbody').replaceChildren(...Object.entries(run.config).map(([k, v]) => el('tr', {}, el('td', {}, k), el('td', {}, v))));
    document.getElementById('timeline').replaceChildren(...events.slice().reverse().map(e =>
      el('li', { 'data-type': e.type }, `#${e.seq} ${e.at.replace('T', ' ').replace('Z', '')} ${e.type} — ${describe(e)}`)));
    const keep = snapshot.value;
    shapes = snaps;
    snapshot.replaceChildren(...snaps.map(x => el('option', { value: x.epoch }, `epoch ${x.epoch}`)));
    if (snaps.length) {
      snapshot.value = snaps.some(x => String(x.epoch) === keep) ? keep : String(snaps[snaps.length - 1].epoch);
      showSnapshot();
    }
    if (!run.summary || ['finished', 'diverged', 'failed', 'cancelled'].includes(s.status)) return;
    setTimeout(load, 2000);
  } catch (e) {
    error.textContent = e.message;
  }
}

load();
