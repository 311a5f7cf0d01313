// Overview: totals, the functions with live queue depth, workers by state and GPU, usage and budgets at a glance.

import * as api from './api.js';
import { h, fill, panel, stat, num } from './dom.js';
import { sparkline } from './charts.js';
import { loadFunctions, functionsTable, errorNotice, optional, notAvailable, genericJson, firingAlerts,
  firingAlertsNotice } from './shared.js';
import { workerGroups } from './view-workers.js';
import { usageSummary as usageTotals } from './usage.js';

export default function overview(root, params, ctx) {
  const cards = h('div', { class: 'stats' });
  const alertsBox = h('div', { class: 'alerts-box' });
  const fnBody = h('div', { id: 'functions-table' }, h('p', { class: 'empty' }, 'Loading…'));
  const workersBody = h('div', null, h('p', { class: 'empty' }, 'Loading…'));
  const usageBody = h('div', null, h('p', { class: 'empty' }, 'Loading…'));
  const budgetsBody = h('div', null, h('p', { class: 'empty' }, 'Loading…'));
  fill(root,
    h('div', { class: 'page-head' }, h('h1', null, 'Overview'),
      h('p', { class: 'muted' }, 'Live state of this control plane, refreshed every 2 seconds.')),
    alertsBox,
    cards,
    panel('Functions', fnBody, { actions: h('a', { href: '#/functions', class: 'link' }, 'All functions →') }),
    h('div', { class: 'grid2' },
      panel('Workers', workersBody, { actions: h('a', { href: '#/workers', class: 'link' }, 'All workers →') }),
      h('div', { class: 'stack' },
        panel('Usage & cost', usageBody, { actions: h('a', { href: '#/usage', class: 'link' }, 'Details →') }),
        panel('Budgets', budgetsBody))));

  let usageTick = 0;
  return {
    async refresh() {
      const [f, w, firing] = await Promise.all([loadFunctions(ctx.history), api.get('/v1/workers'), firingAlerts()]);
      fill(alertsBox, firingAlertsNotice(firing));
      if (!f.res.ok) {
        fill(fnBody, errorNotice(f.res, 'Cannot list functions'));
      } else {
        fill(fnBody, functionsTable(f.functions, f.health, f.stats, ctx.history));
      }
      const workers = w.ok ? w.data.workers || [] : [];
      const queued = f.functions.reduce((a, x) => a + x.inQueue, 0);
      const running = f.functions.reduce((a, x) => a + x.inProgress, 0);
      const gpus = workers.reduce((a, x) => a + (x.gpus || []).length, 0);
      const ready = workers.filter(x => x.state === 'READY').length;
      const qs = ctx.history.push('total:queue', queued);
      const ws = ctx.history.push('total:workers', workers.length);
      const done15 = Object.values(f.stats).reduce((a, s) => a + (s.jobs ? s.jobs.completed : 0), 0);
      const failed15 = Object.values(f.stats).reduce((a, s) => a + (s.jobs ? s.jobs.failed + s.jobs.timedOut : 0), 0);
      fill(cards,
        stat('Functions', num(f.functions.length)),
        stat('In queue', h('span', { class: 'with-spark' }, num(queued), sparkline(qs, { cls: 's2' })), 'jobs waiting for a worker'),
        stat('Running', num(running), 'jobs on workers now'),
        stat('Workers', h('span', { class: 'with-spark' }, num(workers.length), sparkline(ws)), `${ready} ready`),
        stat('GPUs in use', num(gpus)),
        stat('Finished (15 min)', num(done15), failed15 ? h('span', { class: 'text-bad' }, failed15 + ' failed') : 'none failed'));
      fill(workersBody, w.ok ? workerGroups(workers) : errorNotice(w, 'Cannot list workers'));

      if (usageTick++ % 5 === 0) {
        const [u, b] = await Promise.all([optional('/v1/usage'), optional('/v1/budgets')]);
        fill(usageBody, usageSummary(u));
        fill(budgetsBody, budgetsSummary(b));
      }
    },
  };
}

function usageSummary(u) {
  if (!u.available) return notAvailable('Usage metering is not available on this server.', '/v1/usage');
  if (!u.res.ok) return errorNotice(u.res, 'Cannot read usage');
  return usageTotals(u.res.data);
}

function budgetsSummary(b) {
  if (!b.available) return notAvailable('Budgets are not available on this server.', '/v1/budgets');
  if (!b.res.ok) return errorNotice(b.res, 'Cannot read budgets');
  return genericJson(b.res.data);
}

