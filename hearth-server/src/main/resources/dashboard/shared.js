// Loaders and pieces used by more than one view.

import * as api from './api.js';
import { h, table, ms, num, notice, usd, ago } from './dom.js';
import { sparkline, barChart } from './charts.js';

const statsCache = new Map();

/** /v1/functions/{fn}/stats, reused for maxAgeMs so that list views do not ask every poll. */
export async function stats(fn, { window = '15m', buckets = 30, maxAgeMs = 0 } = {}) {
  const key = fn + '|' + window + '|' + buckets;
  const hit = statsCache.get(key);
  if (hit && Date.now() - hit.at < maxAgeMs) return hit.res;
  const res = await api.get(`/v1/functions/${api.enc(fn)}/stats?window=${api.enc(window)}&buckets=${buckets}`);
  if (res.ok) statsCache.set(key, { at: Date.now(), res });
  return res;
}

/**
 * An endpoint that a server may not have (usage, budgets): {available: false} on 404 or 405, so views can say so
 * instead of showing an error.
 */
export async function optional(path) {
  const res = await api.get(path);
  if (res.status === 404 || res.status === 405) {
    const isMissingEndpoint = !res.data || typeof res.data !== 'object' || /no such endpoint/.test(res.data.detail || '');
    if (isMissingEndpoint) return { available: false, res };
  }
  return { available: true, res };
}

/**
 * The alert rules firing now (GET /v1/alerts?state=firing), those of one function (and those on all functions) when
 * fn is given; [] when the server has no alerts or the key may not read them.
 */
export async function firingAlerts(fn) {
  const res = await api.get('/v1/alerts?state=firing');
  if (!res.ok) return [];
  return (res.data.alerts || []).filter(a => !fn || !a.function || a.function === fn);
}

/** A notice listing firing alerts, or nothing when none fires. */
export function firingAlertsNotice(alerts) {
  if (!alerts.length) return null;
  return h('div', { class: 'notice bad alerts-firing', id: 'firing-alerts' },
    h('strong', null, alerts.length === 1 ? '1 alert firing' : alerts.length + ' alerts firing'),
    h('ul', null, alerts.map(a => h('li', { dataset: { alert: a.name } },
      h('code', null, a.name), ' ', a.function ? a.function : 'all functions', ': ', a.when,
      a.valueText ? ' — now ' + a.valueText : '', a.since ? h('span', { class: 'muted', title: a.since }, ' · since ' + ago(a.since)) : null))),
    h('div', { class: 'small muted' }, 'hearth alert ls · hearth alert history NAME'));
}

export function notAvailable(sentence, path) {
  return h('div', { class: 'unavailable' },
    h('strong', null, sentence),
    h('span', { class: 'muted' }, ' It appears here when the control plane serves ', h('code', null, path), '.'));
}

export function errorNotice(res, what) {
  return notice('bad', (what ? what + ': ' : '') + (res.error || 'request failed'));
}

/** The functions table with live queue depth (sparkline of the last samples kept in ctx.history). */
export function functionsTable(functions, healthByFn, statsByFn, history) {
  return table([
    { label: 'Function', cell: f => h('span', null, h('a', { href: '#/functions/' + encodeURIComponent(f.name), class: 'strong fn-link', dataset: { fn: f.name } }, f.name), stateChip(f)) },
    { label: 'Version', cell: f => 'v' + f.version },
    { label: 'Runtime', cell: f => h('span', null, f.runtime, f.gpu ? h('span', { class: 'chip' }, f.gpu) : h('span', { class: 'chip muted' }, 'CPU')) },
    { label: 'Workers', num: true, cell: f => workersCell(f, healthByFn[f.name]) },
    { label: 'Queue', num: true, cell: f => h('span', { class: 'queue-cell' }, sparkline(history.get('q:' + f.name)), h('b', { class: 'queue-depth', dataset: { fn: f.name } }, num(f.inQueue))) },
    { label: 'Running', num: true, cell: f => num(f.inProgress) },
    { label: 'Done / failed', num: true, cell: f => doneCell(healthByFn[f.name]) },
    { label: 'p50 / p95 exec (15m)', num: true, cell: f => latencyCell(statsByFn[f.name]) },
  ], functions, { empty: h('span', null, 'No functions deployed yet. Deploy one with ', h('code', null, 'hearth deploy path/to/hearth.yaml'), '.') });
}

/** A broken version and one waiting its turn for a GPU are different troubles, and look it. */
function stateChip(f) {
  if (f.state === 'crashLooping') return h('span', { class: 'chip bad', title: f.crashLoop ? f.crashLoop.error : '' }, 'crash looping');
  if (f.state === 'waitingForGpu') return h('span', { class: 'chip wait' }, 'waiting for GPU');
  return null;
}

function workersCell(f, health) {
  if (!health || !health.workers) return num(f.workers);
  const w = health.workers;
  return h('span', { title: `${w.idle} idle, ${w.running} running, ${w.initializing} starting` },
    num(f.workers), w.initializing ? h('span', { class: 'chip wait' }, w.initializing + ' starting') : null);
}

function doneCell(health) {
  if (!health || !health.jobs) return '–';
  return h('span', null, num(health.jobs.completed), ' / ',
    h('span', { class: health.jobs.failed ? 'text-bad' : 'muted' }, num(health.jobs.failed)));
}

function latencyCell(s) {
  if (!s || !s.executionTime || !s.executionTime.count) return h('span', { class: 'muted' }, '–');
  return ms(s.executionTime.p50) + ' / ' + ms(s.executionTime.p95);
}

/** Loads functions with their health and (cached) stats, recording queue depth samples. */
export async function loadFunctions(history) {
  const res = await api.get('/v1/functions');
  if (!res.ok) return { res, functions: [], health: {}, stats: {} };
  const functions = res.data.functions || [];
  const health = {};
  const st = {};
  await Promise.all(functions.map(async f => {
    history.push('q:' + f.name, f.inQueue);
    const [hr, sr] = await Promise.all([api.get(`/v2/${api.enc(f.name)}/health`), stats(f.name, { maxAgeMs: 5000 })]);
    if (hr.ok) health[f.name] = hr.data;
    if (sr.ok) st[f.name] = sr.data;
  }));
  return { res, functions, health, stats: st };
}

/** A generic, readable rendering of an unknown JSON document: scalars as a list, arrays of objects as tables. */
export function genericJson(data) {
  if (data === null || data === undefined) return h('p', { class: 'empty' }, 'Empty answer.');
  if (Array.isArray(data)) return arrayView(data);
  if (typeof data !== 'object') return h('pre', { class: 'code' }, String(data));
  const scalars = Object.entries(data).filter(([, v]) => v === null || typeof v !== 'object');
  const nested = Object.entries(data).filter(([, v]) => v !== null && typeof v === 'object');
  return h('div', { class: 'generic' },
    scalars.length ? h('dl', { class: 'kv' }, scalars.flatMap(([k, v]) => [h('dt', null, label(k)), h('dd', null, scalar(k, v))])) : null,
    nested.map(([k, v]) => h('div', { class: 'generic-sub' }, h('h3', null, label(k)),
      Array.isArray(v) ? arrayView(v) : genericJson(v))));
}

const DATE = /^\d{4}-\d{2}-\d{2}([T ][\d:.]+Z?)?$/;
const COST_KEY = /cost|usd|spend|billed|amount|price/i;

/** A number from a number or a money string such as "$1.25" or "1.25 USD"; null otherwise. */
function amount(v) {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') {
    const m = v.trim().match(/^\$?\s*(-?[\d,]*\.?\d+)\s*(USD)?$/i);
    if (m) return Number(m[1].replace(/,/g, ''));
  }
  return null;
}

/** Rows keyed by date or time with a cost-like column chart as bars over time (e.g. usage by day). */
function timeChart(arr, cols) {
  const timeKey = cols.find(c => arr.every(x => typeof x[c] === 'string' && DATE.test(x[c])));
  const valueKey = cols.find(c => COST_KEY.test(c) && arr.every(x => amount(x[c]) !== null))
    || cols.find(c => c !== timeKey && arr.every(x => typeof x[c] === 'number'));
  if (!timeKey || !valueKey || arr.length < 2) return null;
  const rows = arr.slice().sort((a, b) => a[timeKey].localeCompare(b[timeKey]));
  const money = COST_KEY.test(valueKey);
  return barChart([{ name: label(valueKey), cls: 'ok', values: rows.map(x => amount(x[valueKey])) }],
    rows.map(x => x[timeKey].slice(5, 16).replace('T', ' ')),
    { format: v => (money ? usd(v) : num(v)), integer: !money, empty: 'Nothing in this period.' });
}

function arrayView(arr) {
  if (!arr.length) return h('p', { class: 'empty' }, 'None.');
  if (arr.every(x => x && typeof x === 'object' && !Array.isArray(x))) {
    const first = c => (/^(key|name|function|id|date|day|period|start)$/i.test(c) ? 0 : 1);
    const cols = [...new Set(arr.flatMap(x => Object.keys(x)))].sort((a, b) => first(a) - first(b));
    const chart = timeChart(arr, cols);
    return h('div', { class: 'stack' }, chart, table(cols.map(c => ({
      label: label(c),
      num: arr.every(x => x[c] === undefined || x[c] === null || typeof x[c] === 'number'),
      cell: x => x[c] !== null && typeof x[c] === 'object' ? JSON.stringify(x[c]) : scalar(c, x[c]),
    })), arr));
  }
  return h('pre', { class: 'code' }, JSON.stringify(arr, null, 2));
}

function label(key) {
  return key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/[_-]/g, ' ').replace(/^./, c => c.toUpperCase());
}

function scalar(key, v) {
  if (v === null || v === undefined) return '–';
  if (typeof v === 'number') {
    if (/usd|cost|spen[dt]|amount|price|limit|budget|reserved|remaining|soft/i.test(key) && !/count|jobs|seconds|ms$/i.test(key)) return usd(v);
    if (/ms$|millis/i.test(key)) return ms(v);
    return num(v, Number.isInteger(v) ? 0 : 2);
  }
  return String(v);
}
