// The Planner: a function's real history (GET /v1/functions/{fn}/plan, as `hearth plan FUNCTION --from-history`)
// replayed through every scaling policy of the planner's sweep, drawn as cost against p95 latency, with the
// recommendation: the cheapest policy that meets the SLO. Planning takes a moment, so it runs when asked, not on
// every refresh.

import * as api from './api.js';
import { h, fill, panel, table, usd, ms, num } from './dom.js';
import { errorNotice } from './shared.js';
import { frontierChart } from './charts.js';

const WINDOWS = ['1h', '6h', '24h', '7d'];

export default function planner(root, params) {
  const fnSelect = h('select', { id: 'plan-function', 'aria-label': 'Function' });
  const windowSelect = h('select', { id: 'plan-window', 'aria-label': 'History window' },
    ...WINDOWS.map(w => h('option', { value: w, selected: w === '24h' ? '' : null }, 'last ' + w)));
  const slo = h('input', { id: 'plan-slo', type: 'text', placeholder: 'p95 < 2s (default: the measured p95 + 10%)', spellcheck: 'false', class: 'slo-input' });
  const go = h('button', { id: 'plan-run', class: 'primary', type: 'submit' }, 'Plan');
  const out = h('div', { id: 'plan-result' }, h('p', { class: 'empty' }, 'Pick a function and press Plan.'));
  const form = h('form', { class: 'inline-form', id: 'plan-form' }, fnSelect, windowSelect, slo, go);
  form.addEventListener('submit', e => { e.preventDefault(); run(); });
  fill(root,
    h('div', { class: 'page-head' }, h('h1', null, 'Planner'),
      h('p', { class: 'muted' }, 'Which scaling policy is cheapest for this function\'s real traffic at its latency target: its history replayed through Hearth\'s own autoscaler under each policy (as ', h('code', null, 'hearth plan FUNCTION --from-history'), ').')),
    form, out);

  let loaded = false;
  async function run() {
    const fn = fnSelect.value;
    if (!fn) return;
    go.disabled = true;
    fill(out, h('p', { class: 'empty' }, 'Planning ' + fn + '…'));
    let path = `/v1/functions/${api.enc(fn)}/plan?since=${api.enc(windowSelect.value)}`;
    if (slo.value.trim()) path += '&slo=' + api.enc(slo.value.trim());
    const res = await api.get(path);
    go.disabled = false;
    if (!res.ok) {
      fill(out, errorNotice(res, 'Cannot plan ' + fn));
      return;
    }
    fill(out, result(res.data));
  }

  return {
    async refresh() {
      if (loaded) return;
      const res = await api.get('/v1/functions');
      if (!res.ok) {
        fill(out, errorNotice(res, 'Cannot list functions'));
        return;
      }
      loaded = true;
      const names = (res.data.functions || []).map(f => f.name);
      fill(fnSelect, ...names.map(n => h('option', { value: n, selected: n === params.fn ? '' : null }, n)));
      if (!names.length) fill(out, h('p', { class: 'empty' }, 'No functions deployed.'));
      else if (params.fn && names.includes(params.fn)) run();
    },
  };
}

function result(plan) {
  const f = plan.functions[0];
  const rec = f.recommendation;
  const limit = sloSeconds(plan.slo);
  const points = f.policies.map(p => ({ name: p.name, x: p.latency.p95, y: p.cost, meetsSlo: p.meetsSlo }));
  const m = plan.measured;
  const summary = h('div', { class: 'stack', id: 'plan-summary' },
    h('p', null, `${num(f.policies[0] ? f.policies[0].requests : 0)} requests from ${new Date(plan.from).toLocaleString()} replayed; SLO `,
      h('code', null, plan.slo), plan.truncated ? ' (the newest requests only: the window held more)' : ''),
    m ? h('p', { class: 'muted' }, `Measured on the server: ${usd(m.cost)}, ${num(m.coldStarts)} cold starts, p95 ${ms(m.latency.p95 * 1000)}.`) : null,
    rec
      ? h('p', { id: 'plan-recommendation' }, h('strong', null, 'Recommended: ' + rec.policy), ` at ${usd(rec.cost)}`,
        rec.savingVsCurrent !== null ? `, saves ${usd(rec.savingVsCurrent)} against the current scaling` : '',
        rec.savingVsDedicated !== null ? `, ${usd(rec.savingVsDedicated)} against the cheapest dedicated fleet that meets the SLO` : '',
        '. Apply it with ', h('code', null, `hearth plan ${f.name} --apply`), ' or the function page\'s scaling form.')
      : h('p', { id: 'plan-recommendation', class: 'text-bad' }, 'No policy meets the SLO: loosen it, or add GPUs.'));
  return h('div', { class: 'stack' },
    panel('Cost against p95 latency', h('div', { class: 'stack' },
      frontierChart(points, { sloX: limit, recommended: rec ? rec.policy : null, format: usd, formatX: v => ms(v * 1000) }),
      summary), { id: 'plan-chart' }),
    panel('Policies', table([
      { label: 'Policy', cell: p => h('code', null, p.name) },
      { label: 'Scaling', cell: p => describe(p.scaling) },
      { label: 'Cost', cell: p => usd(p.cost) },
      { label: 'Utilization', cell: p => num(p.utilization * 100, 1) + '%' },
      { label: 'Cold starts', cell: p => `${num(p.coldStarts)} (${num(p.coldStartShare * 100, 1)}%)` },
      { label: 'p50', cell: p => ms(p.latency.p50 * 1000) },
      { label: 'p95', cell: p => ms(p.latency.p95 * 1000) },
      { label: 'p99', cell: p => ms(p.latency.p99 * 1000) },
      { label: 'Peak workers', cell: p => num(p.peakWorkers) },
      { label: 'SLO', cell: p => p.meetsSlo ? 'met' : h('span', { class: 'text-bad' }, 'missed') },
    ], f.policies, { rowAttrs: p => ({ 'data-policy': p.name, class: rec && p.name === rec.policy ? 'selected' : null }) }), { id: 'plan-table' }));
}

function describe(s) {
  if (s.minWorkers === s.maxWorkers && s.minWorkers > 0) return `${s.minWorkers} always on`;
  return `min ${s.minWorkers}, max ${s.maxWorkers}, idle ${s.idleTimeout}` + (s.bufferWorkers ? `, buffer ${s.bufferWorkers}` : '') + `, ${s.scaler} ${s.scalerValue}`;
}

/** The SLO's limit in seconds ("p95 < 2s" → 2, "p95 < 1m30s" → 90), or null when it is not about p95 (the x axis). */
function sloSeconds(text) {
  const m = /^p95 < ((?:\d+(?:ms|s|m|h|d))+)$/.exec(text || '');
  if (!m) return null;
  const unit = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400 };
  let total = 0;
  for (const [, n, u] of m[1].matchAll(/(\d+)(ms|s|m|h|d)/g)) total += Number(n) * unit[u];
  return total;
}
