// Usage, cost and budgets, from the metering endpoints when the server has them.

import { h, fill, panel } from './dom.js';
import { optional, notAvailable, errorNotice, genericJson } from './shared.js';
import { usageDetails } from './usage.js';

export default function usage(root) {
  const usageBody = h('div', { id: 'usage' }, h('p', { class: 'empty' }, 'Loading…'));
  const budgetsBody = h('div', { id: 'budgets' }, h('p', { class: 'empty' }, 'Loading…'));
  fill(root,
    h('div', { class: 'page-head' }, h('h1', null, 'Usage & budgets'),
      h('p', { class: 'muted' }, 'GPU and CPU time metered per function, its cost, and the spending limits that guard it.')),
    panel('Usage & cost', usageBody),
    panel('Budgets', budgetsBody));
  return {
    async refresh() {
      const [u, b] = await Promise.all([optional('/v1/usage'), optional('/v1/budgets')]);
      const details = u.available && u.res.ok ? await usageDetails() : null;
      fill(usageBody, !u.available ? notAvailable('Usage metering is not available on this server.', '/v1/usage')
        : !u.res.ok ? errorNotice(u.res, 'Cannot read usage') : details || genericJson(u.res.data));
      fill(budgetsBody, !b.available ? notAvailable('Budgets are not available on this server.', '/v1/budgets')
        : b.res.ok ? genericJson(b.res.data) : errorNotice(b.res, 'Cannot read budgets'));
    },
  };
}
