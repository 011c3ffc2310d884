// The launch form, drawn from the configuration's own key declarations (GET /api/keys): a select for each key with
// fixed values, a checkbox for each true/false key, a text input for numbers, its range in its hint. The preset's
// value of a key is its placeholder: an empty field keeps it. Clone of a run (?from=ID) fills in the run's values.
// The server validates; each refusal is shown next to its field.
import { getJson, postJson, el, isRunId, throttle } from './api.js';

const params = new URLSearchParams(location.search);
const fields = document.getElementById('fields');
const presetSelect = document.getElementById('preset');
const inputs = {};
let keys = [];
let presets = {};

function presetValues(name) {
  const v = {};
  for (const k of keys) v[k.name] = k.default;
  return Object.assign(v, presets[name] || {});
}

function rangeText(input) {
  const lo = input.min, hi = input.max;
  const open = input.minInclusive ? '[' : '(', close = input.maxInclusive ? ']' : ')';
  const what = input.kind === 'integer' ? 'integer' : 'number';
  const extra = input.choices.length ? `, or ${input.choices.join(', ')}` : '';
  // every bound the server checks is stated (a form that hides 100,000 only to refuse 100,001 misleads) as the key
  // table in docs/model.md writes it: an integer's whole, with thousands separators ("integer, 0 to 2,147,483,647",
  // never 2.147483647e9); a large bound of a decimal number as 1e6
  const integer = input.kind === 'integer';
  const fmt = n => (integer ? n.toLocaleString('en') : Math.abs(n) >= 1e5 ? n.toExponential().replace('e+', 'e') : String(n));
  if (lo === null && hi === null) return `${what}${extra}`;
  if (integer && lo !== null && hi !== null && input.minInclusive && input.maxInclusive) return `integer, ${fmt(lo)} to ${fmt(hi)}${extra}`;
  if (hi === null) return `${what} ${input.minInclusive ? '≥' : '>'} ${fmt(lo)}${extra}`;
  if (lo === null) return `${what} ${input.maxInclusive ? '≤' : '<'} ${fmt(hi)}${extra}`;
  return `${what} in ${open}${fmt(lo)}, ${fmt(hi)}${close}${extra}`;
}

function control(k) {
  const id = `key-${k.name}`;
  const input = k.input;
  if (input.kind === 'choice') {
    const sel = el('select', { id, name: k.name, 'data-kind': 'choice' },
      el('option', { value: '' }, ''), ...input.choices.map(c => el('option', { value: c }, c)));
    return sel;
  }
  if (input.kind === 'boolean') return el('input', { type: 'checkbox', id, name: k.name, 'data-kind': 'boolean' });
  if ((input.kind === 'number' || input.kind === 'integer') && !input.choices.length) {
    // text, not type=number: a number field sends what the browser could read of the typed text, so '0,3' went as
    // '03' (beta 3 queued without a word) and 'abc' as nothing (the preset's value); the server reads and refuses
    // the text as typed, naming the field, as it does a --set
    // (no inputmode: the decimal and numeric keypads of some phones have no 'e' or '-', so 1e-3 could not be typed)
    return el('input', { type: 'text', id, name: k.name, 'data-kind': input.kind, autocomplete: 'off', spellcheck: 'false' });
  }
  // a number that may also be a word (limiter: off; snapshotEvery: log2): text with the words offered
  const list = el('datalist', { id: `${id}-words` }, ...input.choices.map(c => el('option', { value: c })));
  const text = el('input', { type: 'text', id, name: k.name, list: `${id}-words`, 'data-kind': input.kind });
  text.words = list;
  return text;
}

/** Shows {@code values} over the preset {@code preset}: a key whose value is the preset's stays empty, with the preset's value as its placeholder. */
function show(values, preset) {
  const base = presetValues(preset);
  for (const k of keys) {
    const c = inputs[k.name];
    const v = values[k.name] ?? base[k.name];
    if (c.dataset.kind === 'boolean') {
      c.checked = String(v) === 'true';
      continue;
    }
    if (c.tagName === 'SELECT') {
      c.options[0].textContent = `${base[k.name]} (${preset ? 'preset' : 'default'})`;
      if (v !== base[k.name] && ![...c.options].some(o => o.value === v)) c.append(el('option', { value: v }, v));
      c.value = v === base[k.name] ? '' : v;
      continue;
    }
    c.placeholder = base[k.name];
    c.value = v === base[k.name] ? '' : v;
  }
}

function collect() {
  const base = presetValues(presetSelect.value);
  const config = {};
  for (const k of keys) {
    const c = inputs[k.name];
    if (c.dataset.kind === 'boolean') {
      if (String(c.checked) !== String(base[k.name])) config[k.name] = String(c.checked);
    } else if (c.value.trim() !== '') {
      config[k.name] = c.value.trim();
    }
  }
  return config;
}

/** The form's own fields outside the key grid: a refusal may name them too. */
const OWN = ['preset', 'group'];

function clearErrors() {
  document.getElementById('form-error').textContent = '';
  for (const id of OWN) {
    document.getElementById(id).classList.remove('invalid');
    document.getElementById(id).removeAttribute('aria-invalid');
    document.getElementById(id).removeAttribute('title');
  }
  for (const k of keys) {
    inputs[k.name].classList.remove('invalid');
    inputs[k.name].removeAttribute('aria-invalid');
    document.getElementById(`err-${k.name}`).textContent = '';
  }
}

async function submit(evt) {
  evt.preventDefault();
  clearErrors();
  const body = { preset: presetSelect.value || null, config: collect(), group: document.getElementById('group').value || null };
  try {
    const res = await postJson('/api/launch', body);
    location.href = isRunId(res.runId) ? `/run.html?id=${encodeURIComponent(res.runId)}` : '/index.html';   // the new run's page: it goes live when it starts
  } catch (e) {
    const message = e.message;
    for (const [k, msg] of Object.entries(e.fields || {})) {
      if (inputs[k]) {
        inputs[k].classList.add('invalid');
        inputs[k].setAttribute('aria-invalid', 'true');
        document.getElementById(`err-${k}`).textContent = msg;
      } else if (OWN.includes(k)) {          // named in the message over the form; marked here
        document.getElementById(k).classList.add('invalid');
        document.getElementById(k).setAttribute('aria-invalid', 'true');
        document.getElementById(k).title = msg;
      }
    }
    document.getElementById('form-error').textContent = message;
  }
}

/** Greys the keys the chosen preset and values make of no effect, with the reason (the run page's rule, from the server). */
async function markIgnored() {
  const q = new URLSearchParams(collect());
  if (presetSelect.value) q.set('preset', presetSelect.value);
  let ignored = {};
  try { ignored = await getJson(`/api/ignored?${q}`); } catch (e) { return; }
  for (const k of keys) {
    const why = ignored[k.name];
    const row = inputs[k.name].closest('div');
    row.classList.toggle('ignored', !!why);
    inputs[k.name].title = why ? `no effect: ${why}` : '';
    document.getElementById(`note-${k.name}`).textContent = why ? `no effect here: ${why}` : '';
  }
}

async function main() {
  [keys, presets] = await Promise.all([getJson('/api/keys'), getJson('/api/presets')]);
  for (const name of Object.keys(presets)) presetSelect.append(el('option', { value: name }, name));
  for (const k of keys) {
    const c = control(k);
    inputs[k.name] = c;
    // the hint describes its field to a screen reader as it shows beside it: meaning, range, default, and a refusal
    c.setAttribute('aria-describedby', `hint-${k.name}`);
    // the range in the server's words (those of the key table and of a refusal: "integer >= 0", the seed's 64-bit
    // range, which a browser's numbers cannot hold), else as the input's bounds say it
    const words = k.values && k.input.kind === 'number' && /^[[(]/.test(k.values) ? `number in ${k.values}` : k.values;
    const range = k.input.kind === 'integer' || k.input.kind === 'number' ? ` — ${words || rangeText(k.input)}` : '';
    fields.append(el('label', { for: c.id }, k.name), el('div', {}, c, c.words || null),
      el('div', { class: 'hint', id: `hint-${k.name}` }, `${k.doc}${range}; default ${k.default}`, el('span', { class: 'note', id: `note-${k.name}` }),
        el('span', { class: 'error', id: `err-${k.name}` })));
  }
  // a clone of a run (?from=ID) or a preset (?preset=NAME); one that cannot be had falls back to the defaults, saying why
  const from = params.get('from');
  const notes = [];
  let run = null;
  if (from && isRunId(from)) {
    try {
      run = await getJson(`/api/runs/${encodeURIComponent(from)}`);
    } catch (e) {
      notes.push(`${e.message}; starting from the defaults`);
    }
  } else if (from) {
    notes.push(`'${from.slice(0, 40)}' is not a run id; starting from the defaults`);
  }
  if (run) {
    presetSelect.value = run.summary.preset || '';
    show(run.config, presetSelect.value);
    document.getElementById('from').textContent = `cloned from ${from}: change what you like`;
  } else {
    // a preset's name in any case, as the command line and the API read it (UFLDL: ufldl)
    const asked = params.get('preset') || '';
    const p = Object.keys(presets).find(n => n.toLowerCase() === asked.toLowerCase()) ?? asked;
    const known = Object.prototype.hasOwnProperty.call(presets, p);
    if (p && !known) {
      notes.push(`'${p.slice(0, 40)}' is not a preset (the presets: ${Object.keys(presets).join(', ')}); starting from the defaults`);
    }
    presetSelect.value = known ? p : '';
    show({}, presetSelect.value);
  }
  document.getElementById('form-error').textContent = notes.join('. ');
  const mark = throttle(markIgnored, 300);
  presetSelect.addEventListener('change', () => { show({}, presetSelect.value); mark(); });
  fields.addEventListener('input', mark);
  fields.addEventListener('change', mark);
  markIgnored();
}

// before anything is fetched: whatever fails later, the form never submits itself as a native GET
document.getElementById('launch').addEventListener('submit', submit);

main().catch(e => { document.getElementById('form-error').textContent = e.message; });
