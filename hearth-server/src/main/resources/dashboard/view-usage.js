// Usage, cost and budgets, from the metering endpoints when the server has them: cost per day and per function with
// the waste share, CSV export, and budgets to create, edit and remove, each with its spend against the limit.

import * as api from './api.js';
import { h, fill, panel, table, usd, num } from './dom.js';
import { lineChart } from './charts.js';
import { optional, notAvailable, errorNotice, genericJson } from './shared.js';
import { usageDetails } from './usage.js';
import { actionButton, confirmDialog, download, field, report, toast } from './ui.js';

export default function usage(root, params, ctx) {
  const usageBody = h('div', { id: 'usage' }, h('p', { class: 'empty' }, 'Loading…'));
  const budgetsBody = h('div', { id: 'budgets' }, h('p', { class: 'empty' }, 'Loading…'));
  const editor = budgetEditor(() => ctx.refreshNow());
  const exportButton = actionButton('Export CSV', async () => {
    const res = await report('Export', api.call('GET', '/v1/usage?groupBy=day&from=30d&format=csv', undefined, { accept: 'text/csv' }));
    if (res.ok) download('hearth-usage-by-day.csv', res.data);
    return res;
  }, { id: 'usage-csv', title: 'Cost per day, last 30 days, as CSV (GET /v1/usage?groupBy=day&format=csv)' });
  fill(root,
    h('div', { class: 'page-head' }, h('h1', null, 'Usage & budgets'),
      h('p', { class: 'muted' }, 'GPU and CPU time metered per function, its cost, and the spending limits that guard it.')),
    panel('Usage & cost', usageBody, { actions: exportButton }),
    panel('Budgets', h('div', { class: 'stack' }, budgetsBody, editor.form)));
  let tick = 0;
  return {
    async refresh() {
      const [u, b] = await Promise.all([optional('/v1/usage'), optional('/v1/budgets')]);
      if (tick++ % 3 === 0 || !usageBody.firstChild || usageBody.querySelector('.empty')) {
        const details = u.available && u.res.ok ? await usageDetails() : null;
        fill(usageBody, !u.available ? notAvailable('Usage metering is not available on this server.', '/v1/usage')
          : !u.res.ok ? errorNotice(u.res, 'Cannot read usage') : h('div', { class: 'stack' }, waste(u.res.data), details || genericJson(u.res.data)));
      }
      if (!b.available) {
        fill(budgetsBody, notAvailable('Budgets are not available on this server.', '/v1/budgets'));
        return;
      }
      if (!b.res.ok) {
        fill(budgetsBody, errorNotice(b.res, 'Cannot read budgets'));
        return;
      }
      fill(budgetsBody, await budgetsView(b.res.data.budgets || [], editor, () => ctx.refreshNow()));
    },
  };
}

/** The share of cost spent on workers that ran no job: starting, idle, draining and pre-initialized. */
function waste(report) {
  const c = report && report.total && report.total.cost;
  if (!c || !c.total) return null;
  const wasted = (c.idle || 0) + (c.starting || 0) + (c.draining || 0) + (c.preinit || 0);
  return h('p', { class: 'waste' }, h('b', { id: 'waste-share' }, num(100 * wasted / c.total, 0) + '%'),
    ` of the last 24 h's cost (${usd(wasted)} of ${usd(c.total)}) paid for workers that ran no job: starting, idle,`
    + ' draining or pre-initialized.');
}

const PER = { hour: 'per hour', day: 'per day', month: 'per month' };

function budgetPath(b) {
  return b.scope === 'global' ? `/v1/budgets/global/${b.period}` : `/v1/budgets/functions/${api.enc(b.function)}/${b.period}`;
}

async function budgetsView(budgets, editor, changed) {
  if (!budgets.length) return h('p', { class: 'empty' }, 'No budgets. Add one below to cap what a function (or everything) may spend per day or month.');
  const charts = await Promise.all(budgets.map(spendChart));
  return h('div', { class: 'stack' }, table([
    { label: 'Scope', cell: b => b.scope === 'global' ? h('b', null, 'all functions') : h('a', { href: '#/functions/' + encodeURIComponent(b.function) }, b.function) },
    { label: 'Period', cell: b => b.period },
    { label: 'Spent', num: true, cell: b => usd(b.spent) },
    { label: 'Limit', num: true, cell: b => usd(b.limit) },
    { label: 'Soft', num: true, cell: b => b.soft === undefined ? '–' : usd(b.soft) },
    { label: 'Used', cell: b => meter(b) },
    { label: 'Resets', cell: b => new Date(b.resetsAt).toLocaleString(undefined, { hour12: false }) },
    { label: '', cell: b => h('span', { class: 'row-actions needs-admin' },
      h('button', { type: 'button', class: 'small-button', onclick: () => editor.edit(b) }, 'Edit'),
      actionButton('Remove', async () => {
        const ok = await confirmDialog('Remove this budget?', `${b.scope === 'global' ? 'All functions' : b.function} will no longer be capped ${PER[b.period] || b.period}.`,
          { confirmLabel: 'Remove budget' });
        if (!ok) return { ok: true, cancelled: true };
        const res = await report('Removing the budget', api.del(budgetPath(b)));
        if (res.ok) changed();
        return res;
      }, { cls: 'small-button danger', success: r => r.cancelled ? null : 'Budget removed' })) },
  ], budgets), h('div', { class: 'charts' }, charts));
}

function meter(b) {
  const share = b.limit > 0 ? Math.min(1, (b.spent + (b.reserved || 0)) / b.limit) : 0;
  const bar = h('span', { class: 'meter' + (share >= 1 ? ' full' : b.soft !== undefined && b.spent >= b.soft ? ' soft' : '') },
    h('i', { dataset: { w: (100 * share).toFixed(1) + '%' } }));
  bar.firstChild.style.width = bar.firstChild.dataset.w;  // through CSSOM: the page's CSP refuses inline styles
  return h('span', { class: 'meter-cell' }, bar, num(100 * share, 0) + '%');
}

/** Spend against the limit: per day for daily budgets, cumulated since the month began for monthly ones. */
async function spendChart(b) {
  if (b.period === 'hour') return null;  // usage is grouped by day at the finest; the meter shows the hour's spend
  const monthly = b.period === 'month';
  const from = monthly ? b.periodStart : '14d';
  const fnq = b.scope === 'global' ? '' : '&function=' + api.enc(b.function);
  const res = await api.get(`/v1/usage?groupBy=day&from=${api.enc(from)}${fnq}`);
  const title = (b.scope === 'global' ? 'All functions' : b.function) + (monthly ? ': spend this month against the limit' : ': spend per day against the limit');
  if (!res.ok) return h('div', null, h('h3', null, title), errorNotice(res, 'Cannot read spend'));
  const days = (res.data.lines || []).slice().sort((x, y) => x.key.localeCompare(y.key));
  let sum = 0;
  const spent = days.map(d => (monthly ? (sum += d.cost.total) : d.cost.total));
  const series = [{ name: monthly ? 'spent so far' : 'spent', cls: 's1', values: spent },
    { name: 'limit', cls: 's3', values: days.map(() => b.limit) }];
  if (b.soft !== undefined) series.push({ name: 'soft limit', cls: 's2', values: days.map(() => b.soft) });
  return h('div', { class: 'budget-chart' }, h('h3', null, title),
    lineChart(series, days.map(d => d.key.slice(5, 10)), { format: usd, empty: 'No spend in this period yet.' }));
}

/** The form that creates a budget or, after Edit, changes one (PUT is idempotent: the same call does both). */
function budgetEditor(changed) {
  const scope = h('select', { id: 'budget-scope' }, h('option', { value: '' }, 'all functions'));
  const period = h('select', { id: 'budget-period' }, h('option', { value: 'hour' }, 'per hour'), h('option', { value: 'day', selected: true }, 'per day'),
    h('option', { value: 'month' }, 'per month'));
  const limit = h('input', { type: 'number', id: 'budget-limit', min: 0, step: 'any', required: true, placeholder: '25' });
  const soft = h('input', { type: 'number', id: 'budget-soft', min: 0, step: 'any', placeholder: 'optional' });
  const webhook = h('input', { type: 'url', id: 'budget-webhook', placeholder: 'optional: https://…' });
  const title = h('h3', null, 'Add a budget');
  api.get('/v1/functions').then(res => {
    for (const f of res.ok ? res.data.functions || [] : []) scope.append(h('option', { value: f.name }, f.name));
  });
  const form = h('form', { class: 'form-grid budget-form needs-admin', id: 'budget-form', onsubmit: async e => {
    e.preventDefault();
    const body = { limit: Number(limit.value) };
    if (soft.value !== '') body.soft = Number(soft.value);
    if (webhook.value.trim()) body.webhook = webhook.value.trim();
    const b = { scope: scope.value ? 'function' : 'global', function: scope.value, period: period.value };
    const res = await report('Saving the budget', api.put(budgetPath(b), body));
    if (res.ok) {
      toast('ok', `Budget saved: ${usd(res.data.limit)} ${PER[b.period] || b.period} for ${scope.value || 'all functions'}`);
      title.textContent = 'Add a budget';
      changed();
    }
  } }, title, field('Scope', scope), field('Period', period), field('Limit (USD)', limit), field('Soft limit (USD)', soft, 'a webhook fires once past it'),
  field('Webhook', webhook), h('div', { class: 'actions form-actions' }, h('button', { type: 'submit', class: 'primary', id: 'budget-save' }, 'Save budget')));
  return {
    form,
    edit(b) {
      title.textContent = 'Edit the budget of ' + (b.scope === 'global' ? 'all functions' : b.function);
      scope.value = b.scope === 'global' ? '' : b.function;
      period.value = b.period;
      limit.value = b.limit;
      soft.value = b.soft ?? '';
      webhook.value = b.webhook || '';
      limit.focus();
    },
  };
}
