// The workers view: every worker and dashboard pool that served the log, alive or not, and the runs each trains now;
// then the trainers of their own (train, resume) while their run trains.
import { getJson, el, say, utcTime as when } from './api.js';

const RUN_ID = /^r[0-9a-f]{10}$/;

/** How long ago, in the largest whole unit: 4 s, 3 min, 2 h, 5 d ago. */
function ago(at) {
  const s = Math.max(0, Math.round((Date.now() - Date.parse(at)) / 1000));
  if (s < 120) return `${s} s ago`;
  if (s < 7200) return `${Math.round(s / 60)} min ago`;
  if (s < 172800) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86400)} d ago`;
}

const error = document.getElementById('error');

/** The kind of a row of /api/workers in the page's words. */
const KINDS = { worker: 'worker', pool: "a dashboard's pool", trainer: 'a trainer of its own' };

/**
 * The table of the workers, asked every 3 s. A request that fails (the server down, a 5xx) is said in the error line,
 * as the other pages say theirs, and the table keeps the last answer; the next answer puts the line away.
 */
async function load() {
  let workers;
  try {
    workers = await getJson('/api/workers');
  } catch (e) {
    say(error, `the workers could not be read: ${e.message}`);
    error.hidden = false;
    return;
  }
  say(error, '');
  error.hidden = true;
  const body = document.querySelector('#workers tbody');
  body.replaceChildren(...workers.map(w => el('tr', { 'data-worker': w.name, class: w.alive ? '' : 'muted' },
    el('td', {}, w.name),
    el('td', { class: 'kind' }, KINDS[w.kind] ?? String(w.kind)),
    el('td', {}, w.host),
    el('td', {}, String(w.pid)),
    el('td', { class: 'state' }, w.alive ? 'alive' : w.stopped ? 'stopped' : 'silent'),
    el('td', {}, String(w.slots)),
    el('td', {}, ...w.runs.filter(id => RUN_ID.test(id)).flatMap((id, i) =>
      [i > 0 ? ', ' : null, el('a', { href: '/run.html?id=' + encodeURIComponent(id) }, id)])),
    el('td', {}, when(w.startedAt)),
    el('td', {}, when(w.heartbeatAt), w.heartbeatAt ? el('span', { class: 'muted' }, ` (${ago(w.heartbeatAt)})`) : null))));
  document.getElementById('none').hidden = workers.length > 0;
}

load();
setInterval(load, 3000);
