// The filter-shape measures of weight snapshots (GET /api/runs/{id}/measures): names, a small table, nearest epoch.
import { el, fmt } from './api.js';

// [key, label, short column header, meaning (a header's or label's tooltip), the y axis's unit on charts]
export const MEASURES = [
  ['locality', 'locality', 'locality', "share of a filter's energy in its top 10% of pixels", 'share of energy'],
  ['deadFraction', 'dead fraction', 'dead', 'fraction of units whose rate is below a tenth of the target rho', 'share of units'],
  ['saturatedFraction', 'saturated fraction', 'saturated', 'fraction of units whose rate is above 0.9', 'share of units'],
  ['lifetimeSparsity', 'lifetime sparsity', 'lifetime sp.', 'lifetime sparsity of the hidden code on held-out images', '0 (dense) to 1 (sparse)'],
  ['digitLikeness', 'digit-likeness', 'digit-like', "mean over filters of the best |correlation| with a class-mean image", '|correlation|, 0 to 1'],
  ['strokeShare', 'stroke share', 'strokes', 'fraction of filters that read as pen strokes', 'share of filters'],
];

/** A measure's tooltip: its label and meaning. */
export const measureTitle = key => {
  const m = MEASURES.find(([k]) => k === key);
  return m ? `${m[1]}: ${m[3]}` : key;
};

/** The measures row of the snapshot nearest to {@code epoch}, or null. */
export function nearestMeasures(rows, epoch) {
  let best = null;
  for (const r of rows) if (best === null || Math.abs(r.epoch - epoch) < Math.abs(best.epoch - epoch)) best = r;
  return best;
}

/** Whether every unit is dead at a measured snapshot (none fires at a tenth of rho): no unit uses its filters. */
export const allDead = row => !!row && row.deadFraction === 1;

/** Whether a measure of a snapshot says nothing: the stroke share where every unit is dead (a share of filters nobody uses). */
export const meaningless = (row, key) => key === 'strokeShare' && allDead(row);

/**
 * The cell of one measure of one snapshot (null: none measured yet). Where every unit is dead, the stroke share
 * cell says "all dead" instead of a share of filters nobody reads (the share in its tooltip).
 */
export function measureCell(row, key) {
  if (!row) return el('td', { class: 'num' }, '');
  if (typeof row[key] !== 'number') return el('td', { class: 'num', title: 'not measured for this run' }, '—');
  if (meaningless(row, key)) {
    return el('td', { class: 'num muted', title: `stroke share ${fmt(row[key], 3)} of filters no unit uses: every unit is dead` }, 'all dead');
  }
  return el('td', { class: 'num' }, fmt(row[key], 3));
}

/** A two-column table of one snapshot's measures, each row headed by the measure's name. */
export function measuresTable(row, attrs = {}) {
  return el('table', { class: 'measures', ...attrs },
    el('tbody', {}, ...MEASURES.map(([k, label, , meaning]) => el('tr', { 'data-measure': k },
      el('th', { scope: 'row', title: meaning }, label), measureCell(row, k)))));
}
