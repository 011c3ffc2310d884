// The launch form: every configuration key with its meaning and default, presets, clone of a run
// (?from=ID), server-side validation with each refusal shown next to its field.
import { getJson, postJson, el } from './api.js';

const params = new URLSearchParams(location.search);
const fields = document.getElementById('fields');
const presetSelect = document.getElementById('preset');
const inputs = {};
let keys = [];
let presets = {};

function fill(values) {
  for (const k of keys) inputs[k.name].value = values[k.name] ?? k.default;
}

function presetValues(name) {
  const v = {};
  for (const k of keys) v[k.name] = k.default;
  return Object.assign(v, presets[name] || {});
}

function clearErrors() {
  document.getElementById('form-error').textContent = '';
  for (const k of keys) {
    inputs[k.name].classList.remove('invalid');
    document.getElementById(`err-${k.name}`).textContent = '';
  }
}

async function submit(evt) {
  evt.preventDefault();
  clearErrors();
  const config = {};
  for (const k of keys) config[k.name] = inputs[k.name].value;
  const body = { preset: presetSelect.value || null, config, group: document.getElementById('group').value || null };
  try {
    const res = await postJson('/api/launch', body);
    location.href = `/index.html?q=${res.runId}`;
  } catch (e) {
    document.getElementById('form-error').textContent = e.message;
    for (const [k, msg] of Object.entries(e.fields || {})) {
      if (inputs[k]) {
        inputs[k].classList.add('invalid');
        document.getElementById(`err-${k}`).textContent = msg;
      }
    }
  }
}

async function main() {
  [keys, presets] = await Promise.all([getJson('/api/keys'), getJson('/api/presets')]);
  for (const name of Object.keys(presets)) presetSelect.append(el('option', { value: name }, name));
  for (const k of keys) {
    const input = el('input', { type: 'text', id: `key-${k.name}`, name: k.name });
    inputs[k.name] = input;
    fields.append(el('label', { for: `key-${k.name}` }, k.name), input,
      el('div', { class: 'hint' }, `${k.doc} — ${k.values}; default ${k.default}`, el('span', { class: 'error', id: `err-${k.name}` })));
  }
  const from = params.get('from');
  if (from) {
    const run = await getJson(`/api/runs/${encodeURIComponent(from)}`);
    presetSelect.value = run.summary.preset || '';
    fill(run.config);
    document.getElementById('from').textContent = `cloned from ${from}: change what you like`;
  } else {
    presetSelect.value = params.get('preset') || '';
    fill(presetValues(presetSelect.value));
  }
  presetSelect.addEventListener('change', () => fill(presetValues(presetSelect.value)));
  document.getElementById('launch').addEventListener('submit', submit);
}

main().catch(e => { document.getElementById('form-error').textContent = e.message; });
