// All functions, with their live queue depth.

import { h, fill, panel } from './dom.js';
import { loadFunctions, functionsTable, errorNotice } from './shared.js';

export default function functionsList(root, params, ctx) {
  const body = h('div', { id: 'functions-table' }, h('p', { class: 'empty' }, 'Loading…'));
  fill(root,
    h('div', { class: 'page-head' }, h('h1', null, 'Functions'),
      h('p', { class: 'muted' }, 'Deployed functions. Open one to run a job, see its latency, workers, scaling events and logs.')),
    panel('Deployed functions', body));
  return {
    async refresh() {
      const f = await loadFunctions(ctx.history);
      fill(body, f.res.ok ? functionsTable(f.functions, f.health, f.stats, ctx.history)
        : errorNotice(f.res, 'Cannot list functions'));
    },
  };
}
