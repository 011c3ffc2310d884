// The runs page: every run, filtered by text and status, updated live (server-sent events, polling when the
// stream is down); select runs to compare (a selection outlives a filter: the button says how many it hides); edit tags.
import { getJson, postJson, el, fmt, lossCell, statusBadge, isRunId, runPath, live, oneAtATime, stepWords, replayingText, keepingFocus, say, ownTrainer } from './api.js';
import { allDead } from './measures.js';

const body = document.querySelector('#runs tbody');
const filter = document.getElementById('filter');
const status = document.getElementById('status');
const compare = document.getElementById('compare');
const error = document.getElementById('error');
const selected = new Set();

// the address keeps the filters (q, status), so a filtered view can be shared or reloaded; a status that is none
// is named, and runs of any status are shown (the API refuses it)
const address = new URLSearchParams(location.search);
filter.value = address.get('q') || '';
const statuses = [...status.options].map(o => o.value).filter(Boolean);
const asked = address.get('status');
if (statuses.includes(asked)) status.value = asked;
else if (asked) showError(`'${asked.slice(0, 40)}' is not a status (${statuses.join(', ')}): runs of any status are shown`);
filter.addEventListener('input', () => refresh());
status.addEventListener('change', () => { showError(''); refresh(); });
compare.addEventListener('click', () => {
  location.href = `/compare.html?runs=${[...selected].filter(isRunId).map(encodeURIComponent).join(',')}`;
});

function showError(text) {
  say(error, text);
  error.hidden = !text;
}

const shown = id => !!body.querySelector(`tr[data-run="${CSS.escape(id)}"]`);

/** The button counts every selected run; those the filter hides (still compared) are counted apart and named in its tooltip. */
function updateCompare() {
  compare.disabled = selected.size < 2 || selected.size > 8;
  const hidden = [...selected].filter(id => !shown(id));
  const why = filter.value.trim() || status.value ? 'hidden by the filter' : 'not shown';
  compare.textContent = `Compare selected (${selected.size}${hidden.length ? `, ${hidden.length} ${why}` : ''})`;
  compare.title = hidden.length ? `selected but ${why}, compared too: ${hidden.join(', ')}` : '';
}

async function editTags(run) {
  const text = prompt(`Tags of ${run.runId}, separated by spaces or commas:`, run.tags.join(' '));
  if (text === null) return;
  try {
    // spaces or commas, as the command line's `tag --add a,b` takes them
    await postJson(runPath(run.runId, 'tags'), { tags: text.split(/[\s,]+/).filter(Boolean) });
    refresh();
  } catch (e) {
    alert(e.message);
  }
}

/**
 * The stroke share of the newest measured snapshot; where every unit is dead there (none fires at a tenth of rho),
 * its filters are not used, and the cell says so instead of a share of shapes nobody reads.
 */
function strokesCell(r) {
  const step = stepWords([r.optimizer]).short;
  const measured = r.measuresEpoch !== null && r.measuresEpoch !== undefined;
  const share = typeof r.strokeShare === 'number' ? fmt(r.strokeShare, 3) : '';
  const dead = measured && allDead(r);
  const title = !measured ? 'no filter measures yet'
    : `stroke share ${share || 'not measured'}, locality ${fmt(r.locality, 3)}, dead units ${fmt(r.deadFraction, 3)} at ${step} ${r.measuresEpoch}`
      + (dead ? ': every unit is dead, its filters are not used' : '');
  return el('td', { class: dead ? 'num muted' : 'num', 'data-figure': 'strokeShare', title }, dead ? 'all dead' : share);
}

/** The run's group; for a run in none, the group named after it where its non-sparse twin was queued (both are in it). */
function groupCell(r) {
  const link = name => el('a', { class: 'group-link', href: `/group.html?name=${encodeURIComponent(name)}` }, name);
  if (r.group) return el('td', { class: 'wrap' }, link(r.group));
  if (r.twinGroup) {
    return el('td', { class: 'wrap', title: 'the group its non-sparse twin was queued in: this run and its twin' },
      link(r.twinGroup), el('span', { class: 'muted' }, ' (with its twin)'));
  }
  return el('td', { class: 'wrap' }, '');
}

/**
 * The batch size; batchSize 0 (full-batch L-BFGS: each step on the whole training set) reads "full", not a size of
 * nothing. The filter still finds those runs by the configuration's value, batchSize=0, as the tooltip says.
 */
function batchCell(r) {
  if (String(r.batchSize) !== '0') return el('td', { class: 'num' }, r.batchSize);
  return el('td', { class: 'num', title: 'batchSize 0: each step on the whole training set (full-batch L-BFGS); the filter finds these runs by batchSize=0' }, 'full');
}

function row(r) {
  const box = el('input', { type: 'checkbox', 'data-run': r.runId, 'aria-label': `select ${r.runId} to compare` });
  box.checked = selected.has(r.runId);
  box.addEventListener('change', () => {
    box.checked ? selected.add(r.runId) : selected.delete(r.runId);
    updateCompare();
  });
  const pct = r.epochsTotal ? Math.round(100 * r.epochsDone / r.epochsTotal) : 0;
  // a resumed or taken-over run whose trainer trains logged steps again: its progress stands still, and says why
  const replaying = replayingText(r, stepWords([r.optimizer]).short);
  const progress = el('td', replaying ? { class: 'progress-cell replaying', title: replaying } : { class: 'progress-cell' },
    el('span', { class: 'progress' }, el('span', { style: `width:${pct}%` })), `${r.epochsDone}/${r.epochsTotal}`,
    replaying ? el('div', { class: 'muted small' }, 'replaying') : null);
  // a button, so that the keyboard edits tags too (Tab, Enter), named by its run and tags
  const tags = el('td', { class: 'tags' }, el('button', { type: 'button', class: 'tags-edit', title: 'click to edit tags', onclick: () => editTags(r),
    'aria-label': `edit the tags of ${r.runId}: ${r.tags.length ? r.tags.join(', ') : 'none yet'}` },
  ...r.tags.map(t => el('span', { class: 'tag' }, t)), r.tags.length ? null : el('span', { class: 'muted' }, '+ tag')));
  // a run that raised divergence flags is marked, finished or not: its page lists them
  const flagged = r.flags > 0 ? el('a', { class: 'flag-count', href: `/run.html?id=${encodeURIComponent(r.runId)}#timeline`,
    title: `${r.flags} divergence flag${r.flags === 1 ? '' : 's'}: the run page lists them`,
    'aria-label': `${r.flags} divergence flag${r.flags === 1 ? '' : 's'}` }, ` ⚑ ${r.flags}`) : null;
  // a queued run with an error is held back (refused by a worker, or its trainer failed to start): said at once, why on hover
  const held = r.status === 'queued' && r.error
    ? el('span', { class: 'muted small held', title: r.error }, r.error.startsWith('refused') ? ' refused' : ' not started') : null;
  const st = el('td', {}, statusBadge(r.status), r.divergedEpoch ? el('span', { class: 'muted' }, ` @${r.divergedEpoch}`) : null, held, flagged);
  if (r.error) st.title = r.error;
  // the answer first: the sparsity knobs, then the stroke share and the figures, then the rest of the configuration
  return el('tr', { 'data-run': r.runId, 'data-status': r.status },
    el('td', {}, box),
    el('td', {}, el('a', { href: `/run.html?id=${encodeURIComponent(r.runId)}` }, r.runId)),
    st,
    groupCell(r),
    el('td', { class: 'num' }, r.beta), el('td', { class: 'num' }, r.rho),
    strokesCell(r),
    lossCell(r.loss, r.epochsDone), el('td', { class: 'num' }, fmt(r.recon)), el('td', { class: 'num' }, fmt(r.heldout)),
    el('td', { class: 'num' }, fmt(r.meanActivation)),
    progress,
    el('td', { class: 'wrap' }, r.preset || ''), el('td', { class: 'wrap' }, r.data || ''), el('td', { class: 'wrap' }, r.estimator),
    el('td', {}, r.hiddenActivation), el('td', { class: 'num' }, r.hidden), batchCell(r),
    tags,
    workerCell(r));
}

/**
 * The worker as the workers view names it (a worker, or a dashboard's pool serve@host:pid), the trainer's process
 * beneath it; a trainer of its own (the command line's) is named by its host:pid alone.
 */
function workerCell(r) {
  if (!r.worker) return el('td', { class: 'worker' }, '');
  const own = ownTrainer(r);
  const trainer = r.pid === null || r.pid === undefined ? '' : `trainer process ${r.pid} on ${r.host}`;
  const title = own ? `${trainer}: a trainer of its own, not a worker's or a dashboard pool's` : trainer ? `${r.worker}: ${trainer}` : r.worker;
  return el('td', { class: 'worker', 'data-worker': r.worker, title },
    ...breakable(r.worker), own || !trainer ? null : el('div', { class: 'muted trainer' }, `pid ${r.pid}`));
}

/** A name such as serve@build-agent-17.lab.example.org:4242 as text that may wrap after its @ and before its dots and colon. */
const breakable = name => name.split(/(?<=@)|(?=[.:])/).flatMap((part, i) => (i ? [el('wbr'), part] : [part]));

// The list is paged on the server (newest first, a cursor in X-Next-Before): older runs load as the table's end
// scrolls into view, or with the button.
const more = document.getElementById('more');
let next = null;
let loadingMore = false;

async function page(query, before, limit) {
  const params = new URLSearchParams(query || '');
  if (before) params.set('before', before);
  if (limit) params.set('limit', String(limit));
  const res = await fetch(`/api/runs?${params}`, { headers: { Accept: 'application/json' } });
  const data = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(data.error || `${res.status} ${res.statusText}`);
  const unknown = res.headers.get('X-Unknown-Keys');
  return { runs: data, next: res.headers.get('X-Next-Before'), unknownKeys: unknown ? decodeURIComponent(unknown) : '' };
}

/**
 * What matches none: the status alone ("no cancelled run"), or the text filter. When the text alone matches runs
 * (textMatches: of another status) it says so; else a key=value whose key is no configuration key, as the server
 * names it (unknownKeys); else, where the text uses key=value, the rule of key=value.
 */
function noMatch(textMatches, unknownKeys) {
  const text = filter.value.trim();
  const which = status.value ? `${status.value} ` : '';
  if (!text) return `no ${which}run`;
  if (textMatches) return `no ${which}run matches this filter (runs of another status do)`;
  // a key that is no configuration key (a typo), as the server names it: "betta=3: unknown key (did you mean beta?)"
  if (unknownKeys) return `no ${which}run matches this filter: ${unknownKeys}`;
  return `no ${which}run matches this filter${text.includes('=') ? ' (key=value matches a whole value: beta=0.3 does not find 0.35)' : ''}`;
}

function showCount(textMatches = false, unknownKeys = '') {
  const n = body.children.length;
  const filtered = filter.value.trim() || status.value;
  say(document.getElementById('count'), n === 0 && filtered
    ? noMatch(textMatches, unknownKeys)
    : n === 0 ? 'no runs in this log yet: "Launch a run" queues one, as do ./sparselab train and ./sparselab sweep in a terminal'
    : `${n} run${n === 1 ? '' : 's'}${next ? ' shown; older ones load as you scroll' : ''}`);
  more.hidden = !next;
  updateCompare();
}

let pending = null;
async function refreshOnce() {
  const params = new URLSearchParams();
  if (filter.value.trim()) params.set('q', filter.value.trim());
  if (status.value) params.set('status', status.value);
  const query = params.toString();
  pending = query;
  // the address keeps the filters, so a filtered view can be shared or reloaded
  const address = new URL(location.href);
  for (const [k, v] of [['q', filter.value.trim()], ['status', status.value]]) {
    if (v) address.searchParams.set(k, v); else address.searchParams.delete(k);
  }
  if (address.href !== location.href) history.replaceState(null, '', address);
  try {
    // as many rows as are shown now (at least a page), so a live refresh keeps what was scrolled to
    const p = await page(query, null, Math.min(1000, Math.max(100, body.children.length)));
    if (pending !== query) return;
    // nothing of this status: does the text alone match runs? (one more question, only then)
    const textMatches = p.runs.length === 0 && status.value && params.has('q')
      && (await page(new URLSearchParams({ q: params.get('q') }).toString(), null, 1)).runs.length > 0;
    if (pending !== query) return;
    next = p.next;
    keepingFocus(body, () => body.replaceChildren(...p.runs.map(row)));
    showCount(textMatches, p.unknownKeys);
  } catch (e) {
    say(document.getElementById('count'), e.message);
  }
}

/** The table read again; never two at once (typing, the stream and polling all ask): a late answer is not drawn over a newer one. */
const refresh = oneAtATime(refreshOnce);

async function loadMore() {
  if (!next || loadingMore) return;
  loadingMore = true;
  const query = pending;
  try {
    const p = await page(query, next, 100);
    if (pending !== query) return;
    next = p.next;
    body.append(...p.runs.filter(r => !body.querySelector(`tr[data-run="${CSS.escape(r.runId)}"]`)).map(row));
    showCount();
  } catch (e) {
    say(document.getElementById('count'), e.message);
  } finally {
    loadingMore = false;
  }
}

more.addEventListener('click', loadMore);
new IntersectionObserver(entries => { if (entries.some(e => e.isIntersecting)) loadMore(); })
  .observe(document.getElementById('more-box'));

/** A run changed (live stream): its row is redrawn in place; a run not in the table brings the whole table. */
function changed(r) {
  const old = body.querySelector(`tr[data-run="${CSS.escape(r.runId)}"]`);
  if (!old) { refresh(); return; }
  if (status.value && status.value !== r.status) { refresh(); return; }
  keepingFocus(body, () => old.replaceWith(row(r)));
  updateCompare();
}

updateCompare();
refresh();
live('', changed, refresh, 2000);
