// The group page: a sweep or ladder as one table (rows: runs; columns: swept or changed keys, final figures, latest
// filter measures) with a strip of each run's last weight snapshot, and a link to compare the runs.
import { getJson, el, fmt, statusBadge } from './api.js';
import { MEASURES } from './measures.js';

const name = new URLSearchParams(location.search).get('name') || '';

function head(g) {
  const cols = [];
  if (g.kind === 'ladder') cols.push('step', 'change');
  cols.push('run', 'status', ...g.keys, 'progress', 'loss', 'held-out', 'mean act.');
  return el('tr', {}, ...cols.map(c => el('th', {}, c)), ...MEASURES.map(([, label, short]) => el('th', { title: label }, short)));
}

function row(g, r) {
  const cells = [];
  if (g.kind === 'ladder') {
    cells.push(el('td', { class: 'num' }, r.step));
    const change = r.changes.length
      ? r.changes.map(c => `${c.key}: ${c.from ?? ''} → ${c.to ?? ''}`).join(', ')
      : (r.step === 0 ? `= ${g.from}` : '');
    cells.push(el('td', { class: 'change', title: r.note || '' }, change, r.note ? el('span', { class: 'muted' }, ' *') : null));
  }
  const v = r.run;
  const st = el('td', {}, statusBadge(v.status), v.divergedEpoch ? el('span', { class: 'muted' }, ` @${v.divergedEpoch}`) : null);
  if (v.error) st.title = v.error;
  cells.push(el('td', {}, el('a', { href: `/run.html?id=${v.runId}` }, v.runId)), st);
  for (const k of g.keys) {
    const changed = r.changes.some(c => c.key === k);
    cells.push(el('td', { class: changed ? 'num changed' : 'num', 'data-key': k }, r.values[k] ?? ''));
  }
  cells.push(el('td', { class: 'num' }, `${v.epochsDone}/${v.epochsTotal}`),
    el('td', { class: 'num' }, fmt(v.loss)), el('td', { class: 'num' }, fmt(v.heldout)), el('td', { class: 'num' }, fmt(v.meanActivation)));
  for (const [k] of MEASURES) cells.push(el('td', { class: 'num', 'data-measure': k }, r.measures ? fmt(r.measures[k], 3) : ''));
  return el('tr', { 'data-run': v.runId, 'data-step': r.step ?? '' }, ...cells);
}

function caption(g, r) {
  if (g.kind === 'ladder') {
    const what = r.changes.length ? r.changes.map(c => `${c.key}=${c.to}`).join(', ') : 'A';
    return `step ${r.step}: ${what}`;
  }
  return g.keys.map(k => `${k}=${r.values[k]}`).join(' ') || r.run.runId;
}

let shown = new Map();

function strip(g) {
  const box = document.getElementById('strip');
  for (const r of g.runs) {
    const id = r.run.runId;
    const src = r.lastSnapshot === null ? null : `/api/runs/${id}/snapshots/${r.lastSnapshot}/grid.png?scale=1`;
    let fig = shown.get(id);
    if (!fig) {
      fig = el('figure', { class: 'thumb', 'data-run': id });
      box.append(fig);
      shown.set(id, fig);
    }
    const label = `${caption(g, r)} · epoch ${r.lastSnapshot ?? '–'}`;
    const img = fig.querySelector('img');
    if (src && (!img || img.getAttribute('src') !== src)) {
      fig.replaceChildren(el('a', { href: `/run.html?id=${id}` }, el('img', { class: 'thumb-img', src, alt: `weights of ${id}` })),
        el('figcaption', {}, label));
    } else if (!src && !img) {
      fig.replaceChildren(el('div', { class: 'thumb-empty muted' }, 'no snapshot yet'), el('figcaption', {}, label));
    } else {
      fig.querySelector('figcaption').textContent = label;
    }
  }
}

async function load() {
  try {
    const g = await getJson(`/api/groups/${encodeURIComponent(name)}`);
    document.title = `sparselab — ${g.kind} ${g.name}`;
    document.getElementById('kind').textContent = g.kind === 'ladder' ? 'Ladder' : g.kind === 'sweep' ? 'Sweep' : 'Group';
    document.getElementById('name').textContent = g.name;
    document.getElementById('ends').textContent = g.kind === 'ladder' ? `from ${g.from} to ${g.to}` : '';
    const table = document.getElementById('group');
    table.querySelector('thead').replaceChildren(head(g));
    table.querySelector('tbody').replaceChildren(...g.runs.map(r => row(g, r)));
    const compare = document.getElementById('compare');
    compare.href = `/compare.html?runs=${g.compare.join(',')}`;
    compare.classList.toggle('disabled', g.compare.length < 2);
    document.getElementById('count').textContent = `${g.runs.length} runs${g.runs.length > 8 ? ' (compare opens the first 8)' : ''}`;
    strip(g);
    if (g.runs.some(r => ['queued', 'running'].includes(r.run.status))) setTimeout(load, 3000);
  } catch (e) {
    document.getElementById('error').textContent = e.message;
  }
}

load();
