// The filter-shape measures of weight snapshots (GET /api/runs/{id}/measures): names, a small table, nearest epoch.
import { el, fmt } from './api.js';

// [key, label, short column header]
export const MEASURES = [
  ['locality', 'locality', 'locality'],
  ['deadFraction', 'dead fraction', 'dead'],
  ['saturatedFraction', 'saturated fraction', 'saturated'],
  ['lifetimeSparsity', 'lifetime sparsity', 'lifetime sp.'],
  ['digitLikeness', 'digit-likeness', 'digit-like'],
];

/** The measures row of the snapshot nearest to {@code epoch}, or null. */
export function nearestMeasures(rows, epoch) {
  let best = null;
  for (const r of rows) if (best === null || Math.abs(r.epoch - epoch) < Math.abs(best.epoch - epoch)) best = r;
  return best;
}

/** A two-column table of one snapshot's measures. */
export function measuresTable(row, attrs = {}) {
  return el('table', { class: 'measures', ...attrs },
    el('tbody', {}, ...MEASURES.map(([k, label]) => el('tr', { 'data-measure': k },
      el('td', {}, label), el('td', { class: 'num' }, row ? fmt(row[k], 3) : '')))));
}
