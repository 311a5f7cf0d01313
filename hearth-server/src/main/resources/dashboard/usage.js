// Usage and cost from GET /v1/usage ({from, to, groupBy, lines: [line], total: line}, line.cost.total in USD): the
// totals, cost per day as bars, and a table per function. Answers of another shape fall back to a generic view.

import * as api from './api.js';
import { h, table, num, usd } from './dom.js';
import { barChart } from './charts.js';
import { genericJson } from './shared.js';

const pct = v => (v === null || v === undefined ? '–' : num(v * 100, 0) + '%');
const secs = v => (v === null || v === undefined ? '–' : num(v, v < 10 ? 1 : 0) + ' s');

function isReport(d) {
  return d && Array.isArray(d.lines) && d.total && d.total.cost && typeof d.total.cost.total === 'number';
}

/** Totals of a usage report as a short key/value list (the overview's card). */
export function usageSummary(report) {
  if (!isReport(report)) return genericJson(report);
  const t = report.total;
  return h('dl', { class: 'kv' },
    h('dt', null, 'Cost (last 24 h)'), h('dd', { class: 'strong' }, usd(t.cost.total)),
    h('dt', null, 'Idle cost'), h('dd', null, usd(t.cost.idle), ' · starting ', usd(t.cost.starting)),
    h('dt', null, 'GPU time billed'), h('dd', null, secs(t.gpuSeconds && t.gpuSeconds.billed)),
    h('dt', null, 'Utilization'), h('dd', null, pct(t.utilization)),
    h('dt', null, 'Jobs metered'), h('dd', null, num(t.jobs)));
}

/** The usage page: cost per day over two weeks, then the last 24 h by function. */
export async function usageDetails() {
  const [byDay, byFn] = await Promise.all([api.get('/v1/usage?groupBy=day&from=14d'), api.get('/v1/usage')]);
  if (!byFn.ok) return null;
  if (!isReport(byFn.data)) return genericJson(byFn.data);
  const days = byDay.ok && isReport(byDay.data) ? byDay.data.lines : [];
  return h('div', { class: 'stack' },
    usageSummary(byFn.data),
    h('div', { class: 'generic-sub' }, h('h3', null, 'Cost per day (UTC), last 14 days'),
      h('div', { class: 'usage-chart' }, barChart([
        { name: 'busy', cls: 'ok', values: days.map(d => d.cost.busy || 0) },
        { name: 'idle, starting, draining', cls: 'bad', values: days.map(d => (d.cost.idle || 0) + (d.cost.starting || 0) + (d.cost.draining || 0)) }],
      days.map(d => d.key.slice(5)), { format: usd, integer: false, empty: 'No metered usage in the last 14 days.' }))),
    h('div', { class: 'generic-sub' }, h('h3', null, 'By function, last 24 h'), table([
      { label: 'Function', cell: l => h('a', { href: '#/functions/' + encodeURIComponent(l.key) }, l.key) },
      { label: 'Cost', num: true, cell: l => h('b', null, usd(l.cost.total)) },
      { label: 'Busy', num: true, cell: l => usd(l.cost.busy) },
      { label: 'Idle', num: true, cell: l => usd(l.cost.idle) },
      { label: 'Starting', num: true, cell: l => usd(l.cost.starting) },
      { label: 'GPU s billed', num: true, cell: l => secs(l.gpuSeconds && l.gpuSeconds.billed) },
      { label: 'Utilization', num: true, cell: l => pct(l.utilization) },
      { label: 'Jobs', num: true, cell: l => num(l.jobs) },
      { label: 'Job cost', num: true, cell: l => usd(l.jobCost) },
    ], byFn.data.lines, { empty: 'No metered usage in the last 24 hours.' })));
}
