// The run page: configuration (keys this run's optimizer or estimator ignores greyed, with the reason), actions,
// downloads, its curves, a weight snapshot (click a filter to enlarge), a readable timeline. Live while it runs.
// The id comes from the address: it is checked against the run-id pattern before any button or URL uses it.
import { getJson, postJson, el, fmt, readableNumbers, statusBadge, isRunId, runPath, live, throttle, oneAtATime, lineOptions, flagDataset, flagLabel, getFlags, getListed, stepWords, utcTime, replayingText, dialog, say, thinnedText, ownTrainer, ENDED } from './api.js';
import { nearestMeasures, measuresTable, allDead } from './measures.js';
import './chartnumbers.js';     // the curves' numbers under them

const id = new URLSearchParams(location.search).get('id') || '';
const error = document.getElementById('error');
const ACTIONS = ['cancel', 'resume', 'twin'];
const TIMELINE_EVENTS = 100;   // the newest events the timeline shows (the page asks again at every epoch)
/** The compare page of these runs (at most 8: the compare API's bound). */
const compareHref = ids => `/compare.html?runs=${ids.map(encodeURIComponent).join(',')}`;

async function act(path, then) {
  try {
    const res = await postJson(path);
    then ? then(res) : load();
  } catch (e) {
    // 409: the run changed meanwhile (its cancel asked from another tab, say): show it as it is now, and why
    if (e.status === 409) await load();
    say(error, e.message);
  }
}

const snapshot = document.getElementById('snapshot');
const grid = document.getElementById('grid');
let shapes = [];
let measures = [];
let chart = null;
let feed = null;
let picked = false;       // the reader chose a snapshot: keep it; else follow the newest as snapshots come in
let loaded = false;       // the run was found once
let step = 'epoch';       // one step of training in the page's words: 'iteration' for a run trained by L-BFGS

/**
 * One filter of the snapshot enlarged: the one clicked, or unit 0 when the grid's button is pressed from the keyboard
 * (a click event with no pointer: detail 0); the dialog's buttons and the arrow keys step through the units.
 */
function enlarge(evt) {
  const s = shapes.find(x => String(x.epoch) === snapshot.value);
  if (!s) return;
  let unit = 0;
  if (evt.detail > 0) {
    const rect = grid.getBoundingClientRect();
    const gridCols = Math.ceil(Math.sqrt(s.hidden));
    const x = (evt.clientX - rect.left) * grid.naturalWidth / rect.width - 1;
    const y = (evt.clientY - rect.top) * grid.naturalHeight / rect.height - 1;
    unit = Math.floor(y / (s.imageRows * 3 + 1)) * gridCols + Math.floor(x / (s.imageCols * 3 + 1));
    if (!(unit >= 0 && unit < s.hidden)) return;
  }
  const img = el('img', {});
  // said as it changes: the reader steps through the units from the keyboard
  const caption = el('figcaption', { style: 'color:#fff', 'aria-live': 'polite' });
  const show = () => {
    img.src = `${runPath(id, 'snapshots', s.epoch, 'filters', `${unit}.png`)}?scale=16`;
    img.alt = `filter of unit ${unit} at ${step} ${s.epoch}`;
    caption.textContent = `${step} ${s.epoch}, unit ${unit} (units 0–${s.hidden - 1}) · ← → the other units · click outside or press Esc to close`;
  };
  const go = by => { unit = Math.min(s.hidden - 1, Math.max(0, unit + by)); show(); };
  show();
  dialog(`filters of ${id} at ${step} ${s.epoch}, enlarged`, el('figure', {}, img, caption,
    el('div', { class: 'toolbar' }, el('button', { type: 'button', class: 'secondary', onclick: () => go(-1) }, '← previous unit'),
      el('button', { type: 'button', class: 'secondary', onclick: () => go(1) }, 'next unit →'))),
  { keys: e => { if (e.key === 'ArrowLeft') go(-1); else if (e.key === 'ArrowRight') go(1); } });
}

function showSnapshot() {
  if (!snapshot.value) return;
  grid.src = `${runPath(id, 'snapshots', snapshot.value, 'grid.png')}?scale=3`;
  const s = shapes.find(x => String(x.epoch) === snapshot.value);
  grid.alt = `weights of ${id} at ${step} ${snapshot.value}${s ? `: its ${s.hidden} filters of ${s.imageRows}×${s.imageCols} pixels, gray = 0` : ''}`;
  document.getElementById('grid-open').setAttribute('aria-label', `${grid.alt}; enlarge the filters one by one`);
  document.getElementById('weights').href = runPath(id, 'snapshots', snapshot.value, 'weights.bin');
  const m = nearestMeasures(measures, Number(snapshot.value));
  document.getElementById('measures').replaceChildren(m
    ? el('div', {}, el('div', { class: 'muted' }, `filter measures at ${step} ${m.epoch}`), measuresTable(m, { id: 'measures-table' }))
    : el('div', { class: 'muted' }, 'no filter measures yet'));
}

const num = (x, d = 4) => (typeof x === 'number' ? fmt(x, d) : '—');

/** One line of plain words per event; null for events folded into a summary line. */
function describe(e) {
  const p = e.payload;
  switch (e.type) {
    case 'created': return `queued by ${p.origin}${p.preset ? ' (preset ' + p.preset + ')' : ''}${p.group ? ' in group ' + p.group : ''}`
      + (p.ladder ? `, ladder step ${p.ladder.step} of ${p.ladder.steps - 1}${p.ladder.changedKeys.length ? ' (' + p.ladder.changedKeys.join(', ') + ')' : ''}` : '');
    case 'started': return startedLine(p);
    case 'epoch_completed': return `${step} ${p.epoch}: loss ${num(p.loss)}, reconstruction ${num(p.recon)}${typeof p.heldout === 'number' ? ', held-out ' + num(p.heldout) : ''}, mean activation ${num(p.meanActivation)}${p.diverged ? ' — diverged' : ''}`;
    case 'weight_snapshot': return `weights saved at ${step} ${p.epoch} (${p.hidden} filters of ${p.imageRows}×${p.imageCols})`;
    case 'filter_measures': return measuresLine(p);
    case 'checkpoint': return `checkpoint after ${step} ${p.epoch}`;
    case 'heartbeat': return `alive (${step} ${p.epoch + 1}, batch ${p.batch})`;
    case 'finished': return `finished after ${step} ${p.epoch}: loss ${num(p.loss)}${typeof p.heldout === 'number' ? ', held-out ' + num(p.heldout) : ''}`;
    case 'failed': return `failed: ${p.error}`;
    // a warning (docs/events.md): its cause, the step it was seen at and the figures behind it
    case 'divergence_flag': return `divergence flag ${p.cause} at ${step} ${p.epoch}${p.detail ? ': ' + readableNumbers(p.detail) : ''}`;
    case 'diverged': return `diverged at ${step} ${p.epoch}: ${p.reason}`;
    case 'cancel_requested': return `cancel requested${p.by ? ' from ' + p.by : ''}`;
    case 'cancelled': return `cancelled after ${step} ${p.epoch}`;
    case 'tagged': return p.tags.length ? `tagged ${p.tags.join(', ')}` : 'tags removed';
    default: return e.type.replace(/_/g, ' ');
  }
}

/**
 * A snapshot's filter measures. Where every unit is dead (none fires at a tenth of rho) the line says "all dead" and
 * gives no stroke share, a share of filters no unit uses, as the runs page and the measures tables do.
 */
function measuresLine(p) {
  const dead = allDead(p);
  const share = p.strokeShare === null || p.strokeShare === undefined || dead ? '' : `, stroke share ${num(p.strokeShare, 3)}`;
  return `filter measures at ${step} ${p.epoch}: ${dead ? 'all dead, ' : ''}locality ${num(p.locality, 3)}, dead ${num(p.deadFraction, 3)}, `
    + `saturated ${num(p.saturatedFraction, 3)}, lifetime sparsity ${num(p.lifetimeSparsity, 3)}, digit-likeness ${num(p.digitLikeness, 3)}${share}`;
}

/** The tooltip of a timeline line: for all dead units, the stroke share the line leaves out. */
function lineTitle(e) {
  if (e.type !== 'filter_measures' || !allDead(e.payload) || typeof e.payload.strokeShare !== 'number') return null;
  return `stroke share ${num(e.payload.strokeShare, 3)} of filters no unit uses: every unit is dead`;
}

/**
 * Who took the run: the worker as the workers view names it (a `sparselab worker`'s name, or a dashboard pool's
 * serve@host:pid), its trainer process, the step it starts from and its lease. A trainer of its own (the command
 * line's) is named by its host:pid alone, as in the runs table; a start logged before workers were named (no
 * `worker`) or before leases (no `lease`) says what it has.
 */
function startedLine(p) {
  const threads = `${p.threads} thread${p.threads === 1 ? '' : 's'}`;
  const own = ownTrainer(p);
  const by = !p.worker ? `trainer pid ${p.pid} on ${p.host} (${threads})`
    : own ? `${p.worker}, a trainer of its own (${threads})`
      : `${p.worker} (trainer pid ${p.pid} on ${p.host}, ${threads})`;
  const from = p.fromEpoch ? `resuming after ${step} ${p.fromEpoch}` : `from ${step} 0`;
  const lease = p.lease === null || p.lease === undefined ? '' : `, lease ${p.lease}`;
  return `started by ${by}, ${from}${lease}`;
}

/**
 * Newest first; runs of heartbeats and of checkpoints fold into one line each ("12 heartbeats, 10:01 – 10:05"); the
 * count of older events not fetched, last.
 */
function timeline(events) {
  const items = [];
  for (const e of events) {
    const last = items[items.length - 1];
    if ((e.type === 'heartbeat' || e.type === 'checkpoint') && last && last.type === e.type) {
      last.count++;
      last.lastAt = e.at;
      last.lastPayload = e.payload;
      continue;
    }
    items.push({ type: e.type, at: e.at, lastAt: e.at, count: 1, event: e, lastPayload: e.payload });
  }
  // a run's events are numbered 1, 2, ... : those before the first one shown are not in the timeline
  const older = events.length ? events[0].seq - 1 : 0;
  const hidden = older > 0 ? [el('li', { id: 'timeline-older', class: 'muted' },
    `${older.toLocaleString('en')} older event${older === 1 ? '' : 's'} not shown (every ${step} is in the metrics CSV and JSON)`)] : [];
  return [...items.reverse().map(it => {
    let text;
    if (it.count > 1 && it.type === 'heartbeat') text = `${it.count} heartbeats until ${utcTime(it.lastAt)}`;
    else if (it.count > 1) text = `${it.count} checkpoints, the last after ${step} ${it.lastPayload.epoch}`;
    else text = describe(it.event);
    return el('li', { 'data-type': it.type, class: it.type === 'failed' || it.type === 'diverged' ? 'error' : '', title: it.count > 1 ? null : lineTitle(it.event) },
      el('span', { class: 'muted' }, utcTime(it.at)), ' ', text);
  }), ...hidden];
}

/**
 * For an interrupted run, the timeline's first line says why it reads so: no event is written when a trainer stops or
 * is killed, so its newest event alone (an epoch, a heartbeat) would not tell.
 */
function interruptedLine(run, s) {
  if (s.status !== 'interrupted') return [];
  const trainer = run.pid ? `its trainer (pid ${run.pid}${run.host ? ` on ${run.host}` : ''})` : 'its trainer';
  const from = run.checkpointEpoch !== null && run.checkpointEpoch !== undefined
    ? `its checkpoint after ${step} ${run.checkpointEpoch}` : `the start (no checkpoint yet: the ${step}s logged are trained again, not logged again)`;
  return [el('li', { 'data-type': 'interrupted', class: 'error' }, el('span', { class: 'muted' }, 'now'), ' ',
    `interrupted: ${trainer} stopped or was killed${run.heartbeatAt ? `; its last heartbeat ${utcTime(run.heartbeatAt)}` : ''} `
    + `(nothing is written when a trainer ends that way). Resume continues from ${from}`)];
}

// the curves: [metrics key, label, line style]
const SERIES = [
  ['loss', 'loss', { borderColor: '#2557d6' }],
  ['recon', 'reconstruction', { borderColor: '#2ca02c', borderDash: [6, 3] }],
  ['heldout', 'held-out', { borderColor: '#d62728', borderDash: [2, 2] }],
  ['penalty', 'penalty', { borderColor: '#9467bd', borderDash: [10, 3, 2, 3] }],
  ['decay', 'weight decay', { borderColor: '#ff7f0e', borderDash: [4, 2, 1, 2] }],
];

/** A point with no value on either side (one epoch, or between gaps) is drawn as a dot: a line of one point is nothing. */
const alone = ctx => {
  const d = ctx.dataset.data;
  const y = j => d[j] && d[j].y !== null;
  return y(ctx.dataIndex) && !y(ctx.dataIndex - 1) && !y(ctx.dataIndex + 1) ? 3 : 0;
};

/**
 * Who trains or trained the run, as the runs table and the Workers page name it: " · worker serve@vm:8658 (trainer pid
 * 9451)", or " · trainer vm:9401 of its own"; empty before its first claim.
 */
function workerText(s) {
  if (!s.worker) return '';
  const own = ownTrainer(s);
  if (own) return ` · trainer ${s.worker} of its own`;
  return ` · worker ${s.worker}${s.pid !== null && s.pid !== undefined ? ` (trainer pid ${s.pid})` : ''}`;
}

let drawn = null;         // the metrics, flags and axis title the curves were last drawn with: the log scale toggle redraws them

/**
 * The loss and its terms. On a linear scale every finite value is drawn, zeros included; a log scale draws no value
 * at or below 0, and a series that is 0 throughout (the penalty of beta = 0, the decay of weightDecay = 0) is named
 * below the toggle instead, as is one with no finite value at all (on either scale). The run's divergence flags are
 * triangles on the first curve drawn (the loss), as the compare page draws them; the cause shows on hover.
 */
function drawCurves(metrics, flags, xTitle) {
  drawn = { metrics, flags, xTitle };
  const canvas = document.getElementById('curves');
  const log = document.getElementById('run-logscale').checked;
  const type = log ? 'logarithmic' : 'linear';
  const values = key => metrics.map(m => (typeof m[key] === 'number' ? m[key] : null));
  const datasets = [];
  const left = [];
  for (const [key, label, style] of SERIES) {
    const v = values(key);
    if (v.every(y => y === null)) {
      // no finite value at all (a NaN loss and penalty, as the blog's beta = 3 divergence gives): said, not left out
      // silently; a held-out error with no held-out samples is simply not there
      if (metrics.length && key !== 'heldout') left.push(el('li', { 'data-figure': key }, `${label}: not finite (NaN or infinite) at every ${step} (not drawn)`));
      continue;
    }
    if (log && v.every(y => y === null || y <= 0)) {
      left.push(el('li', { 'data-figure': key }, `${label}: ${v.every(y => y === null || y === 0) ? '0 throughout' : 'no value above 0'} (not drawn on a log scale)`));
      continue;
    }
    datasets.push({ label, data: metrics.map((m, j) => ({ x: m.epoch, y: log && v[j] <= 0 ? null : v[j] })), ...style,
      borderWidth: 1.5, pointRadius: alone, pointHoverRadius: 4 });
  }
  const on = datasets[0];
  const flagged = on ? flagDataset('divergence flags', flags, on.data.map(p => p.x), on.data.map(p => p.y), on.borderColor) : null;
  if (flagged) datasets.push(flagged);
  const note = document.getElementById('curves-zero');
  note.replaceChildren(...left);
  note.hidden = left.length === 0;
  if (!chart) {
    const options = lineOptions('loss and its terms', type, 'value', xTitle);
    options.plugins.tooltip = { callbacks: { label: c => flagLabel(c.raw) ?? `${c.dataset.label}: ${c.formattedValue}` } };
    chart = new Chart(canvas, { type: 'line', data: { datasets }, options });
  } else {
    chart.data = { datasets };
    chart.options.scales.y.type = type;
    chart.update();
  }
}

document.getElementById('run-logscale').addEventListener('change', () => {
  if (drawn) drawCurves(drawn.metrics, drawn.flags, drawn.xTitle);
});

function configTable(config, ignored) {
  return Object.entries(config).map(([k, v]) => {
    const why = ignored[k];
    return el('tr', why ? { class: 'ignored', 'data-key': k, title: why } : { 'data-key': k },
      el('th', { scope: 'row' }, k), el('td', {}, v, why ? el('span', { class: 'note' }, `ignored: ${why}`) : null));
  });
}

/** No run to show (none by that id, or the log cannot be read): no empty chart, image, buttons, downloads or live links. */
function nothingToShow() {
  document.getElementById('body').hidden = true;
  document.getElementById('clone').classList.add('disabled');
  document.getElementById('downloads').hidden = true;
  document.getElementById('actions').hidden = true;
}

/** The twin's group, asked once per twin (a run outside any group shows the group its twin was queued in). */
let twinGroup = { id: null, group: null };

async function loadOnce() {
  let run;
  try {
    run = await getJson(runPath(id));     // first alone: a run that is not there is asked nothing more
  } catch (e) {
    say(error, e.message);
    if (!loaded) nothingToShow();
    return;
  }
  try {
    // the run's own answer drawn at once (heading, summary, actions, configuration): the page answers first, and its
    // timeline, curves and gallery follow (found 2026-12-03 by a new user's walkthrough: nothing showed until all six
    // answers were in, about a second after the run's own on a loaded machine)
    const s = run.summary;
    document.getElementById('run-id').textContent = s.runId;
    document.title = `sparselab — run ${s.runId}`;
    document.getElementById('run-status').replaceWith(Object.assign(statusBadge(s.status), { id: 'run-status' }));
    const words = stepWords([(run.config || {}).optimizer]);
    step = words.short;
    const data = (run.config || {}).data;
    document.getElementById('summary').textContent =
      `${s.epochsDone}/${s.epochsTotal} ${words.axis}s · origin ${s.origin || ''}${s.preset ? ' · preset ' + s.preset : ''}` +
      `${data ? ' · data ' + data : ''}${run.dataFingerprint ? ` (fingerprint ${run.dataFingerprint.slice(0, 12)})` : ''}` +
      `${workerText(s)}${s.error ? ' · error: ' + s.error : ''}`;
    if (s.group) {
      document.getElementById('summary').append(' · group ', el('a', { id: 'group-link', href: `/group.html?name=${encodeURIComponent(s.group)}` }, s.group));
    } else if (isRunId(run.twinId)) {
      // a run outside any group whose twin was queued from it: the twin's group is named after this run and holds both
      if (twinGroup.id !== run.twinId) twinGroup = { id: run.twinId, group: ((await getJson(runPath(run.twinId))).summary || {}).group };
      if (twinGroup.group === s.runId) {
        document.getElementById('summary').append(' · group ', el('a', { id: 'group-link', href: `/group.html?name=${encodeURIComponent(s.runId)}`,
          title: 'the group its non-sparse twin was queued in: this run and its twin' }, s.runId), ' (with its twin)');
      }
    }
    for (const a of ACTIONS) document.getElementById(a).disabled = !run.actions.includes(a);
    const twinLink = document.getElementById('twin-link');
    twinLink.hidden = !run.twinId;
    // a run with beta = 0 is its own non-sparse twin: no button to queue one
    document.getElementById('twin').hidden = !!run.twinId || (run.config || {}).beta === '0';
    if (run.twinId) twinLink.href = `/run.html?id=${encodeURIComponent(run.twinId)}`;
    const compareTwin = document.getElementById('compare-twin');
    compareTwin.hidden = !isRunId(run.twinId);
    if (!compareTwin.hidden) compareTwin.href = compareHref([s.runId, run.twinId]);
    // a non-sparse twin names the sparse runs it is the twin of (newest first), and compares with them
    const sparse = (run.sparseIds || []).filter(isRunId);
    document.getElementById('sparse-of').hidden = sparse.length === 0;
    document.getElementById('sparse-links').replaceChildren(...sparse.flatMap((x, i) =>
      [...(i ? [', '] : []), el('a', { href: `/run.html?id=${encodeURIComponent(x)}` }, x)]));
    const compareSparse = document.getElementById('compare-sparse');
    compareSparse.hidden = sparse.length === 0;
    compareSparse.textContent = sparse.length > 1 ? `Compare with the ${Math.min(sparse.length, 7)} sparse runs` : 'Compare with sparse run';
    if (sparse.length) compareSparse.href = compareHref([...sparse.slice(0, 7), s.runId]);
    document.querySelector('#config tbody').replaceChildren(...configTable(run.config, run.ignored || {}));
    document.getElementById('downloads').hidden = false;
    document.getElementById('actions').hidden = false;
    const [events, snaps, ms, curves, flags] = await Promise.all([getJson(`${runPath(id, 'events')}?limit=${TIMELINE_EVENTS}`),
      getListed(runPath(id, 'snapshots'), 'X-Total-Snapshots'), getJson(runPath(id, 'measures')), getJson(runPath(id, 'curves')),
      // the flags only mark the curves (the timeline says each): a failed read of them draws the curves without
      getFlags(id).catch(() => [])]);
    // at most 2,000 epochs of a long run: every k-th, first, last and flagged (the downloads hold every epoch)
    const metrics = curves.metrics;
    say(error, '');
    measures = ms;
    document.getElementById('timeline').replaceChildren(...interruptedLine(run, s), ...timeline(events));
    loaded = true;
    document.getElementById('no-epochs').hidden = metrics.length > 0;
    document.getElementById('no-epochs').textContent = `No ${step} yet: the curves appear with the first one.`;
    document.getElementById('curves-box').hidden = metrics.length === 0;
    if (metrics.length) drawCurves(metrics, flags, words.axis);
    const thinned = document.getElementById('thinned');
    thinned.textContent = thinnedText(curves.thinned, words).replace("each run's", 'its');
    thinned.hidden = !curves.thinned;
    const keep = snapshot.value;
    shapes = snaps;
    snapshot.replaceChildren(...snaps.map(x => el('option', { value: x.epoch }, `${step} ${x.epoch}`)));
    // a run with more snapshots than an answer holds (snapshotEvery=1 on a long run): an even spread of them is listed
    const listed = document.getElementById('snapshots-listed');
    listed.textContent = snaps.total > snaps.length
      ? `${snaps.length.toLocaleString('en')} of ${snaps.total.toLocaleString('en')} snapshots listed, evenly spaced, the first and the newest included` : '';
    listed.hidden = !(snaps.total > snaps.length);
    document.getElementById('no-snapshot').hidden = snaps.length > 0;
    document.getElementById('gallery-box').hidden = snaps.length === 0;
    document.getElementById('snapshot-box').hidden = snaps.length === 0;
    document.getElementById('weights').hidden = snaps.length === 0;
    if (snaps.length) {
      const newest = String(snaps[snaps.length - 1].epoch);
      const next = picked && snaps.some(x => String(x.epoch) === keep) ? keep : newest;
      if (next !== keep || !grid.src) {
        snapshot.value = next;
        showSnapshot();
      } else {
        snapshot.value = keep;
      }
    }
    const notices = [];
    if (s.cancelRequested && s.status === 'running') {
      notices.push(el('p', { 'data-notice': 'cancel' }, 'Cancel requested: the trainer reads it within about 5 s and stops after the batch it is on.'));
    }
    if (s.cancelRequested && (s.status === 'finished' || s.status === 'diverged')) {
      // the request came while the trainer was in its last stretch: it reads requests at its heartbeats (found
      // 2026-12-03 by a walkthrough: a short run's page said nothing after "Cancel requested" had been overtaken)
      notices.push(el('p', { 'data-notice': 'cancel-overtaken' }, `A cancel was requested, but the run ${s.status} before its trainer read it `
        + '(it reads a request at its next heartbeat, within about 5 s).'));
    }
    const replaying = replayingText(s, step);
    if (replaying) notices.push(el('p', { 'data-notice': 'replaying' }, replaying));
    // a live region: drawn again only when its words change, not at every event of the stream
    const notice = document.getElementById('notice');
    if (notice.textContent !== notices.map(n => n.textContent).join('')) notice.replaceChildren(...notices);
    notice.hidden = notices.length === 0;
    if (s.cancelRequested) document.getElementById('cancel').disabled = true;
    const ended = ENDED.includes(s.status);
    if (!ended && !feed) feed = live(`run=${encodeURIComponent(id)}`, throttle(load, 1000), load, 2000);
    if (ended && feed) { feed.stop(); feed = null; }
  } catch (e) {
    say(error, e.message);
    if (!loaded) nothingToShow();
  }
}
/** The page's one load: never two at once (a late answer drawn over a newer one). */
const load = oneAtATime(loadOnce);

if (!isRunId(id)) {
  // a crafted address (another path, a query) must not reach any URL: every button stays disabled
  for (const a of ACTIONS) document.getElementById(a).disabled = true;
  nothingToShow();
  say(error, id ? `'${id.slice(0, 40)}' is not a run id (r and ten hex digits); open a run from the runs table`
    : 'no run given (run.html?id=RUN); open a run from the runs table');
} else {
  document.getElementById('cancel').addEventListener('click', () => {
    document.getElementById('cancel').disabled = true;          // one click is enough: the answer comes with the next look
    act(runPath(id, 'cancel'));
  });
  document.getElementById('resume').addEventListener('click', () => act(runPath(id, 'resume')));
  document.getElementById('twin').addEventListener('click', () => act(runPath(id, 'twin'), r => {
    if (isRunId(r.runId)) location.href = `/run.html?id=${encodeURIComponent(r.runId)}`;
  }));
  document.getElementById('clone').href = `/launch.html?from=${encodeURIComponent(id)}`;
  document.getElementById('csv').href = runPath(id, 'metrics.csv');
  document.getElementById('json').href = runPath(id, 'metrics.json');
  snapshot.addEventListener('change', () => { picked = true; showSnapshot(); });
  document.getElementById('grid-open').addEventListener('click', enlarge);
  // drawn smaller than its pixels (a large grid in its 560 px box): smoothed, not every other pixel dropped
  grid.addEventListener('load', () => { grid.style.imageRendering = grid.naturalWidth > grid.clientWidth ? 'auto' : ''; });
  load();
}
