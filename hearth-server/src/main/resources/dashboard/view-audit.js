// The audit log: every management action with the key that made it, its change and how it ended (GET /v1/audit,
// admin keys), filtered by function, action, key and time.

import * as api from './api.js';
import { h, fill, panel, table, dateTime } from './dom.js';
import { errorNotice } from './shared.js';

const SINCE = [['1h', 'last hour'], ['24h', 'last 24 hours'], ['7d', 'last 7 days'], ['30d', 'last 30 days'], ['365d', 'last year']];

export default function audit(root, params, ctx) {
  const body = h('div', { id: 'audit' }, h('p', { class: 'empty' }, 'Loading…'));
  const fn = h('input', { type: 'search', id: 'audit-function', placeholder: 'function', spellcheck: 'false', 'aria-label': 'Function' });
  const action = h('input', { type: 'search', id: 'audit-action', placeholder: 'action (deploy, scale, …)', spellcheck: 'false', 'aria-label': 'Action' });
  const key = h('input', { type: 'search', id: 'audit-key', placeholder: 'key name', spellcheck: 'false', 'aria-label': 'Key' });
  const since = h('select', { id: 'audit-since', 'aria-label': 'Since' }, SINCE.map(([v, label]) => h('option', { value: v }, label)));
  since.value = '7d';
  for (const el of [fn, action, key, since]) el.addEventListener('change', () => ctx.refreshNow());
  fill(root,
    h('div', { class: 'page-head' }, h('h1', null, 'Audit log'),
      h('p', { class: 'muted' }, 'Who deployed, rolled back, rescaled, drained or changed a budget, a key or a secret, from where, and how it ended.')),
    h('div', { class: 'panel search-panel' }, h('div', { class: 'filters' }, h('span', { class: 'muted small' }, 'Show'), fn, action, key, since)),
    panel('Management actions (newest first)', body));
  return {
    async refresh() {
      const q = new URLSearchParams({ since: since.value, limit: '200' });
      if (fn.value.trim()) q.set('function', fn.value.trim());
      if (action.value.trim()) q.set('action', action.value.trim());
      if (key.value.trim()) q.set('key', key.value.trim());
      const res = await api.get('/v1/audit?' + q);
      if (!res.ok) {
        fill(body, errorNotice(res, 'Cannot read the audit log'));
        return;
      }
      fill(body, table([
        { label: 'When', cell: e => h('span', { title: e.at }, dateTime(e.at)) },
        { label: 'Key', cell: e => h('b', null, e.key) },
        { label: 'Action', cell: e => h('code', null, e.action) },
        { label: 'Target', cell: e => e.target || '–' },
        { label: 'Outcome', cell: e => e.outcome === 'ok' ? h('span', { class: 'badge ok' }, 'ok')
          : h('span', { class: 'badge bad', title: e.outcome }, String(e.status)) },
        { label: 'Change', cell: e => e.change ? h('code', { class: 'audit-change', title: e.change }, e.change) : '–' },
        { label: 'From', cell: e => e.address || '–' },
      ], res.data.entries || [], { empty: 'No management actions match.' }));
    },
  };
}
