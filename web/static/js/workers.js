// The workers view: every worker and dashboard pool that served the log, alive or not, and the runs each trains now.
import { getJson, el } from './api.js';

const RUN_ID = /^r[0-9a-f]{10}$/;

async function load() {
  const workers = await getJson('/api/workers');
  const body = document.querySelector('#workers tbody');
  body.replaceChildren(...workers.map(w => el('tr', { 'data-worker': w.name, class: w.alive ? '' : 'muted' },
    el('td', {}, w.name),
    el('td', {}, w.host),
    el('td', {}, String(w.pid)),
    el('td', { class: 'state' }, w.alive ? 'alive' : w.stopped ? 'stopped' : 'silent'),
    el('td', {}, String(w.slots)),
    el('td', {}, ...w.runs.filter(id => RUN_ID.test(id)).flatMap((id, i) =>
      [i > 0 ? ', ' : null, el('a', { href: '/run.html?id=' + encodeURIComponent(id) }, id)])),
    el('td', {}, w.startedAt || ''),
    el('td', {}, w.heartbeatAt || ''))));
  document.getElementById('none').hidden = workers.length > 0;
}

load();
setInterval(load, 3000);
