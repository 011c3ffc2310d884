// Fetching the dashboard's JSON API; a refused request throws an Error carrying the API's message and field errors.
export async function getJson(path) {
  const res = await fetch(path, { headers: { Accept: 'application/json' } });
  return answer(res);
}

export async function postJson(path, body) {
  const res = await fetch(path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify(body ?? {}),
  });
  return answer(res);
}

async function answer(res) {
  const data = await res.json().catch(() => ({}));
  if (!res.ok) {
    const err = new Error(data.error || `${res.status} ${res.statusText}`);
    err.fields = data.fields || {};
    err.status = res.status;
    throw err;
  }
  return data;
}

export function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') e.className = v;
    // through the style object: the content security policy refuses style attributes (style-src 'self')
    else if (k === 'style') e.style.cssText = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else if (v !== undefined && v !== null) e.setAttribute(k, v);
  }
  for (const c of children) if (c !== null && c !== undefined) e.append(c instanceof Node ? c : String(c));
  return e;
}

/**
 * A live page's part drawn again (redraw) without losing the keyboard's place: when a control in a run's row of box had
 * the focus (its checkbox, link or button), or in a chart's numbers (their summary, or the box their table scrolls in),
 * the control at the same place in that run's new row, or in the numbers of the chart of the same title, gets it back.
 * Without this, each event of the stream sent the focus of a keyboard user back to the top of the page.
 */
export function keepingFocus(box, redraw) {
  const had = document.activeElement;
  const place = had && box.contains(had) ? had.closest('tr[data-run], details[data-chart]') : null;
  const controls = p => [...p.querySelectorAll('a[href], button, input, select, summary, [tabindex="0"]')];
  const at = place ? controls(place).indexOf(had) : -1;
  redraw();
  if (at < 0 || had.isConnected) return;
  const again = box.querySelector(place.dataset.run !== undefined ? `tr[data-run="${CSS.escape(place.dataset.run)}"]`
    : `details[data-chart="${CSS.escape(place.dataset.chart)}"]`);
  const control = again && controls(again)[at];
  if (control) control.focus();
}

export function fmt(v, digits = 4) {
  if (v === null || v === undefined || typeof v !== 'number') return '';
  if (v !== 0 && (Math.abs(v) < 1e-3 || Math.abs(v) >= 1e5)) return v.toExponential(2);
  return Number(v.toPrecision(digits)).toString();
}

/**
 * A run's loss in a table: the number; empty before its first epoch; "not finite" when its last epoch's loss was NaN
 * or infinite (the API's null: the blog's beta = 3 divergence), where an empty cell read as "no epoch yet".
 */
export function lossCell(loss, epochsDone) {
  if ((loss === null || loss === undefined) && epochsDone > 0) {
    return el('td', { class: 'num', 'data-figure': 'loss', title: 'NaN or infinite at its last epoch' }, 'not finite');
  }
  return el('td', { class: 'num', 'data-figure': 'loss' }, fmt(loss));
}

/**
 * Numbers shown together (a mean and its sd, an interval's two ends) in one style: plain decimals, or every one in
 * exponent form when the largest is written so by fmt (below 1e-3 or from 1e5 up) or a non-zero one is below 1e-6,
 * where a plain decimal would need six zeros: "0.05483 ± 0.000199", "1.23e-5 ± 4.00e-7", never "0.05483 ± 1.99e-4".
 * digits: significant digits of the plain decimals, one number for all or one per value.
 */
export function fmtAlike(values, digits = 4) {
  const finite = values.filter(v => typeof v === 'number' && Number.isFinite(v));
  const largest = Math.max(0, ...finite.map(Math.abs));
  const exponent = (largest !== 0 && (largest < 1e-3 || largest >= 1e5)) || finite.some(v => v !== 0 && Math.abs(v) < 1e-6);
  return values.map((v, i) => {
    if (typeof v !== 'number') return '';
    if (!Number.isFinite(v)) return String(v);
    if (exponent && v !== 0) return v.toExponential(2);
    return Number(v.toPrecision(Array.isArray(digits) ? digits[i] : digits)).toString();
  });
}

/**
 * A text written for people with its numbers made readable: a decimal with a fraction or exponent that is below
 * 1e-3 or from 1e5 up is written as 1.764e-20 (four significant digits at most); other numbers and words stay.
 * For texts the server wrote with plain decimals, such as a divergence flag's detail.
 */
export function readableNumbers(text) {
  if (typeof text !== 'string') return text === null || text === undefined ? '' : String(text);
  return text.replace(/(?<![\w.])-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?(?![\w]|\.\d)/g, m => {
    if (!/[.eE]/.test(m)) return m;
    const v = Number(m);
    if (!Number.isFinite(v) || v === 0 || (Math.abs(v) >= 1e-3 && Math.abs(v) < 1e5)) return m;
    const [mantissa, exponent] = v.toExponential(3).split('e');
    return `${mantissa.replace(/\.?0+$/, '')}e${exponent}`;
  });
}

/**
 * A live region's text (aria-live: a screen reader reads it out as it changes) written only when it changes: the live
 * pages write their errors and notices again at every event of the stream or poll, and each write is read out again.
 */
export function say(node, text) {
  if (node.textContent !== text) node.textContent = text;
}

/**
 * An enlarged image over the page (the run page's filter, the group page's full-size weights) as a modal dialog that
 * a keyboard and a screen reader can use: named by label, focus moved to its Close button and kept inside it (Tab
 * wraps round), closed by Esc, Close or a click on the dark around it, and focus given back to what had it before
 * (the thumbnail that opened it). keys(e): the dialog's other keys.
 */
export function dialog(label, content, { id, keys = () => {} } = {}) {
  const before = document.activeElement;
  const close = el('button', { type: 'button', class: 'close secondary' }, 'Close');
  const over = el('div', { class: 'overlay', role: 'dialog', 'aria-modal': 'true', 'aria-label': label, id }, content, close);
  const done = () => {
    document.removeEventListener('keydown', onKey);
    over.remove();
    if (before && before.isConnected && before !== document.body) before.focus();
  };
  function onKey(e) {
    if (e.key === 'Escape') { done(); return; }
    if (e.key === 'Tab') {
      const stops = [...over.querySelectorAll('a[href], button:not([disabled]), input, select')];
      const at = stops.indexOf(document.activeElement);
      if (at < 0 || (e.shiftKey ? at === 0 : at === stops.length - 1)) {
        e.preventDefault();
        stops[e.shiftKey ? stops.length - 1 : 0].focus();
      }
      return;
    }
    keys(e);
  }
  over.addEventListener('click', e => { if (e.target === over || e.target === close) done(); });
  document.addEventListener('keydown', onKey);
  document.body.append(over);
  close.focus();
}

/** A time of the log (ISO-8601, UTC) as the pages write it: 2026-12-01 11:02:07 UTC. */
/**
 * Whether a run (or a started event) was trained by a trainer of its own (`train`, `resume`): its worker is its own
 * host:pid, where a worker's or a dashboard pool's run names that worker or pool.
 */
export const ownTrainer = r => r.pid !== null && r.pid !== undefined && r.worker === `${r.host}:${r.pid}`;

export const utcTime = at => (at ? at.replace('T', ' ').replace(/\.\d+Z$|Z$/, '') + ' UTC' : '');

export function statusBadge(status) {
  return el('span', { class: `status ${status}` }, status);
}

// Run ids are "r" and ten hex digits (EventLog.newRunId); a page refuses anything else before building a URL with it.
const RUN_ID = /^r[0-9a-f]{10}$/;
export function isRunId(id) {
  return typeof id === 'string' && RUN_ID.test(id);
}

/** The path of a run's API resource: /api/runs/ID/rest..., the id checked and every part encoded. */
export function runPath(id, ...rest) {
  if (!isRunId(id)) throw new Error(`'${String(id).slice(0, 40)}' is not a run id`);
  return ['/api/runs', id, ...rest].map((p, i) => (i === 0 ? p : encodeURIComponent(p))).join('/');
}

/** The server's Retry-After of a refused stream (LiveRoutes), in ms. */
const STREAM_RETRY_MS = 30000;

/**
 * Live updates: a stream of server-sent events from /api/stream (query: run=ID or group=NAME), each a run's table
 * view, handed to onRun. When the stream cannot be opened or drops, poll() runs every intervalMs until the stream
 * is back (a full server answers 503 with Retry-After: 30: the page then polls and tries the stream again after 30 s;
 * EventSource cannot read that header, so the delay is the same number here).
 * A page the browser hides (another page opened in its tab) closes its stream and stops polling, and opens them again
 * if the browser shows it again from its back-forward cache: a hidden page keeps its connections, and a browser
 * allows six a host, so six pages left streaming would make the next one wait for a socket (about a minute).
 * Returns { stop(), mode() } where mode() is 'stream' or 'poll'.
 */
export function live(query, onRun, poll, intervalMs = 2000) {
  let source = null;
  let timer = null;
  let retry = null;
  let mode = 'poll';
  let stopped = false;
  const startPolling = () => {
    mode = 'poll';
    document.documentElement.dataset.live = 'poll';
    if (!timer) timer = setInterval(poll, intervalMs);
  };
  const stopPolling = () => {
    if (timer) clearInterval(timer);
    timer = null;
  };
  const open = () => {
    if (stopped || typeof EventSource === 'undefined') { startPolling(); return; }
    source = new EventSource(`/api/stream${query ? '?' + query : ''}`);
    source.addEventListener('open', () => {
      mode = 'stream';
      document.documentElement.dataset.live = 'stream';
      stopPolling();
      poll();   // whatever changed while the stream was down
    });
    source.addEventListener('run', e => {
      try { onRun(JSON.parse(e.data)); } catch (err) { console.error(err); }
    });
    source.addEventListener('error', () => {
      startPolling();
      if (source.readyState === EventSource.CLOSED) {
        source = null;
        clearTimeout(retry);
        retry = setTimeout(open, STREAM_RETRY_MS);
      }
    });
  };
  open();
  window.addEventListener('pagehide', () => {
    if (source) { source.close(); source = null; }
    clearTimeout(retry);
    stopPolling();
    mode = 'poll';
    document.documentElement.dataset.live = 'closed';
  });
  window.addEventListener('pageshow', e => { if (e.persisted && !stopped && !source) { startPolling(); open(); } });
  return {
    stop() { stopped = true; stopPolling(); clearTimeout(retry); if (source) source.close(); },
    mode: () => mode,
  };
}

/**
 * The words for one step of training of runs with these optimizers (one per run): L-BFGS runs count iterations,
 * the others epochs, and a page of both says both. `short` goes before a number ("iteration 40"), `axis` under the
 * x axis of the curves.
 */
export function stepWords(optimizers) {
  const lbfgs = optimizers.filter(o => o === 'lbfgs').length;
  if (lbfgs === 0) return { short: 'epoch', plural: 'epochs', axis: 'epoch' };
  if (lbfgs === optimizers.length) return { short: 'iteration', plural: 'iterations', axis: 'L-BFGS iteration' };
  return { short: 'epoch/iteration', plural: 'epochs or iterations', axis: 'epoch (L-BFGS runs: iteration)' };
}

/** The statuses of a run that has ended: no step, and so no snapshot, comes after them (an interrupted run may resume). */
export const ENDED = ['finished', 'diverged', 'failed', 'cancelled'];

/** 2nd, 3rd, 4th, 11th, 21st, 1,001st. */
export function ordinal(n) {
  const teen = n % 100 >= 11 && n % 100 <= 13;
  return `${n.toLocaleString('en')}${teen ? 'th' : ({ 1: 'st', 2: 'nd', 3: 'rd' })[n % 10] || 'th'}`;
}

/**
 * The words that say a page's curves are thinned (the API's `thinned`: {stride, points, epochs}, absent when every
 * epoch is drawn), in the runs' step words: "every 401st of 800,000 epochs drawn (and each run's first, last and
 * flagged ones); the downloads hold every epoch". Empty when nothing is thinned.
 */
export function thinnedText(thinned, w) {
  if (!thinned) return '';
  return `every ${ordinal(thinned.stride)} of ${thinned.epochs.toLocaleString('en')} ${w.plural} drawn (and each run's first, last and flagged ones, `
    + `at most ${thinned.points.toLocaleString('en')} points a curve); the downloads hold every ${w.short}`;
}

/**
 * The words over the compare page's curves when some run is thinned: each run has its own `thinned` (the API thins the
 * runs of a configuration, its replicates, by one stride, so that they and their mean over seeds line up; a run of
 * another configuration keeps its own, every epoch when it is short). One stride for every run reads as thinnedText;
 * else "every 26th of 50,001 epochs drawn for rA and rB, every 11th of 20,001 for rC, every epoch for rD (and each
 * thinned run's first, last and flagged ones, ...)". Empty when no run is thinned.
 */
export function thinnedRunsText(runs, w) {
  const thinned = runs.filter(s => s.thinned);
  if (!thinned.length) return '';
  const kind = t => (t ? `${t.stride} ${t.epochs}` : '');
  if (thinned.length === runs.length && new Set(runs.map(s => kind(s.thinned))).size === 1) return thinnedText(thinned[0].thinned, w);
  const groups = [];
  runs.forEach(s => {
    let g = groups.find(x => x.kind === kind(s.thinned));
    if (!g) groups.push(g = { kind: kind(s.thinned), thinned: s.thinned, ids: [] });
    g.ids.push(s.run.runId);
  });
  groups.sort((a, b) => !a.thinned - !b.thinned);   // the runs drawn whole last
  const and = ids => (ids.length === 1 ? ids[0] : `${ids.slice(0, -1).join(', ')} and ${ids[ids.length - 1]}`);
  const parts = groups.map((g, i) => (g.thinned
    ? `every ${ordinal(g.thinned.stride)} of ${g.thinned.epochs.toLocaleString('en')}${i === 0 ? ` ${w.plural} drawn` : ''} for ${and(g.ids)}`
    : `every ${w.short} for ${and(g.ids)}`));
  return `${parts.join(', ')} (and each thinned run's first, last and flagged ones, at most `
    + `${thinned[0].thinned.points.toLocaleString('en')} points a curve); the downloads hold every ${w.short}`;
}

/**
 * A resume or takeover restores the run's last checkpoint and trains the steps after it again without logging them
 * (training is deterministic; the log never holds a step twice), so meanwhile the run's count stands still: what its
 * trainer does, in the run's step word, while the server finds it replaying (the run view's replayFrom: the step its
 * newest start is from, below the last logged one, none logged since); else null. The run page's line, the runs
 * table's progress tooltip.
 */
export function replayingText(run, step) {
  const from = run.replayFrom;
  if (typeof from !== 'number') return null;
  const last = run.epochsDone;
  const again = from + 1 === last ? `${step} ${last} again without logging it` : `${step}s ${from + 1}–${last} again without logging them`;
  return `Replaying: the trainer started from ${from ? `the checkpoint after ${step} ${from}` : 'the start (no checkpoint)'} and trains `
    + `${again} (training is deterministic); new ${step}s appear after ${step} ${last}.`;
}

/**
 * Every chart named for a screen reader, as the image it is: role img and a label of its title and its series
 * ("chart of loss and its terms — loss; reconstruction"; a band's two edges are no series), kept as the chart changes.
 * A canvas alone says nothing; its numbers are in the table under it (chartnumbers.js).
 */
const chartNames = {
  id: 'chartNames',
  afterUpdate(chart) {
    const title = chart.options.plugins.title;
    const series = [...new Set(chart.data.datasets.filter(d => !d.band && d.label).map(d => d.label))];
    const name = `chart of ${title && title.text ? title.text : 'untitled'}${series.length ? ` — ${series.join('; ')}` : ''}`;
    chart.canvas.setAttribute('role', 'img');
    if (chart.canvas.getAttribute('aria-label') !== name) chart.canvas.setAttribute('aria-label', name);
  },
};
// the pages without charts (runs, launch, workers) load no Chart.js
if (typeof Chart !== 'undefined') Chart.register(chartNames);

/** Chart.js options shared by the pages' line charts. */
export function lineOptions(title, yType = 'linear', yTitle = null, xTitle = 'epoch') {
  return {
    animation: false, maintainAspectRatio: false, parsing: true,
    plugins: { title: { display: true, text: title }, legend: { labels: { boxWidth: 18, font: { size: 11 } } } },
    scales: { x: { type: 'linear', title: { display: true, text: xTitle }, ticks: { precision: 0 } },
      y: { type: yType, ...logAxis(), ...(yTitle ? { title: { display: true, text: yTitle } } : {}) } },
  };
}

/** Whether v is 1, 2 or 5 x 10^k (the small tolerance: v / 10^k is a float). */
function oneTwoFive(v) {
  if (!(v > 0)) return false;
  const m = v / 10 ** Math.floor(Math.log10(v) + 1e-9);
  return [1, 2, 5].some(d => Math.abs(m - d) < 1e-6);
}

/**
 * Ticks at the multiples of the smallest step of 1, 2 or 5 x 10^k that puts at most 4 steps between min and max: the
 * labels of a log axis that spans too little to hold two ticks at 1, 2 and 5 x 10^k.
 */
function evenTicks(min, max) {
  if (!(min > 0) || !(max > min)) return [];
  const power = 10 ** Math.floor(Math.log10((max - min) / 4));
  const step = [1, 2, 5, 10].map(m => m * power).find(st => (max - min) / st <= 4 + 1e-9);
  const ticks = [];
  for (let k = Math.ceil(min / step - 1e-9); k * step <= max * (1 + 1e-9); k++) ticks.push({ value: Number((k * step).toPrecision(12)) });
  return ticks;
}

/**
 * The options of an axis that is or may become logarithmic (a log scale toggle changes its type in place): on a log
 * scale only the ticks at 1, 2 and 5 x 10^k are kept (Chart.js makes one at every digit and labels them all with the
 * decimals of the smallest, "100.00", crowded), each labelled by fmt without an exponent's zeros: "100", "50", "0.02",
 * "1e-5". Where even those crowd, Chart.js's skipping keeps the powers of ten (its major ticks). A range too narrow to
 * hold two of them (a loss between 33 and 70: Chart.js labels 33, 35, 37, 39, 45 and 60, overlapping on a short chart)
 * gets evenly spaced round ticks instead, 2 to 5 of them (40, 50, 60, 70). On a linear scale the ticks and labels are
 * Chart.js's own.
 */
export function logAxis() {
  return {
    afterBuildTicks(scale) {
      if (scale.type !== 'logarithmic') return;
      const nice = scale.ticks.filter(t => oneTwoFive(t.value));
      if (nice.length >= 2) scale.ticks = nice;
      else {
        const even = evenTicks(scale.min, scale.max);
        if (even.length >= 2) scale.ticks = even;
      }
    },
    ticks: {
      callback(value, index, ticks) {
        if (this.type !== 'logarithmic') return Chart.Ticks.formatters.numeric.call(this, value, index, ticks);
        return fmt(value).replace(/\.?0+e/, 'e');
      },
    },
  };
}

/**
 * The ±sd band of a mean line: an upper and a lower edge, the lower filled up to the upper (a point without sd: no
 * width). The edges stay within [min, max] where given: a loss or a fraction has no values below 0, and a log scale
 * draws none.
 */
export function band(label, color, points, { min = -Infinity, max = Infinity } = {}) {
  const edge = sign => points.map(p => ({ x: p.x, y: Math.min(max, Math.max(min, p.mean + sign * (typeof p.sd === 'number' ? p.sd : 0))) }));
  const common = { borderColor: 'transparent', backgroundColor: `${color}30`, pointRadius: 0, borderWidth: 0, band: true };
  return [{ ...common, label: `${label} +sd`, data: edge(1), fill: false, bandEdge: 'upper' },
    { ...common, label: `${label} -sd`, data: edge(-1), fill: '-1', bandEdge: 'lower' }];
}

/** At most n of the items, evenly spaced, the first and the last included (the server's RunQueries.spread). */
export function spread(items, n) {
  if (items.length <= n) return items;
  const out = [];
  for (let i = 0; i < n; i++) out.push(items[Math.round(i * (items.length - 1) / (n - 1))]);
  return [...new Set(out)];
}

/**
 * A list the API bounds (a run's flags, snapshots or measures): the answer, an array that also carries `total`, how
 * many there are (the answer's header `header`).
 */
export async function getListed(path, header) {
  const res = await fetch(path, { headers: { Accept: 'application/json' } });
  const items = await answer(res);
  const total = Number(res.headers.get(header));
  items.total = Number.isFinite(total) && total > items.length ? total : items.length;
  return items;
}

/**
 * A run's divergence flags for its curves (GET /api/runs/{id}/flags): the first answer's worth (the API sends at most
 * 10,000 at a time; a condition that comes and goes raises one each time it starts), with their `total` (getListed).
 */
export function getFlags(id) {
  return getListed(runPath(id, 'flags'), 'X-Total-Flags');
}

/**
 * A run's divergence flags (GET /api/runs/{id}/flags) on one of its curves, the run page's and the compare page's: a
 * triangle in the run's colour at each flagged epoch, at the curve's value there (values[j] at epochs[j]); a flag at an
 * epoch where the curve has no number is not drawn. Null when no flag is. Its tooltip is flagLabel's. When the run has
 * more flags than were read (getFlags), the legend says so: "r1 flags (the first 10,000 of 10,002)".
 */
export function flagDataset(label, flags, epochs, values, color) {
  const at = new Map(epochs.map((e, j) => [e, j]));
  const data = (flags || []).map(f => ({ x: f.epoch, y: values[at.get(f.epoch)], cause: f.cause, detail: f.detail }))
    .filter(p => typeof p.y === 'number');
  if (flags && flags.total > flags.length) {
    label += ` (the first ${flags.length.toLocaleString('en')} of ${flags.total.toLocaleString('en')})`;
  }
  return data.length ? { label, data, type: 'scatter', pointStyle: 'triangle', pointRadius: 7, borderColor: '#1d2330', borderWidth: 1, backgroundColor: color, showLine: false } : null;
}

/** The tooltip of a flag's triangle (flagDataset): its cause and detail, "rho_hat_outside: rho_hat of 2 unit(s) ..."; null for another point. */
export function flagLabel(point) {
  return point && point.cause ? `${point.cause}: ${readableNumbers(point.detail)}` : null;
}

// Distinct dash patterns, so a run whose line lies under another's still shows.
export const DASHES = [[], [6, 3], [2, 2], [10, 3, 2, 3], [1, 4], [12, 4], [4, 2, 1, 2], [8, 2, 2, 2, 2, 2]];
export const COLORS = ['#2557d6', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf'];

/**
 * An async fn run one at a time: a call while it runs is answered by one more run after it (the calls meanwhile share
 * that run and its promise). A page's load draws what it read; two loads at once could end in either order, and an
 * answer that came late was drawn over a newer one.
 */
export function oneAtATime(fn) {
  let running = null;
  let next = null;
  const call = () => {
    if (!running) {
      running = Promise.resolve().then(fn).finally(() => { running = null; });
      return running;
    }
    if (!next) next = running.catch(() => {}).then(() => { next = null; return call(); });
    return next;
  };
  return call;
}

/** fn at most once per ms: a call within the window runs once at its end. */
export function throttle(fn, ms) {
  let last = 0;
  let timer = null;
  return () => {
    const wait = last + ms - Date.now();
    if (wait <= 0) { last = Date.now(); fn(); return; }
    if (!timer) timer = setTimeout(() => { timer = null; last = Date.now(); fn(); }, wait);
  };
}
