// Nodes: the control-plane nodes (GET /v1/cluster: which one leads, its term), then each worker node's GPUs and
// which worker holds each, with drain (grace period) and undrain — the same POST /v1/nodes/{node}/drain and /undrain
// as `hearth node drain`.

import * as api from './api.js';
import { h, fill, panel, table, num, badge } from './dom.js';
import { errorNotice } from './shared.js';
import { actionButton, confirmDialog, report } from './ui.js';

const NODE_STATE = { ACTIVE: 'ok', DRAINING: 'wait', DRAINED: 'muted' };

export default function nodes(root, params, ctx) {
  const body = h('div', { id: 'nodes' }, h('p', { class: 'empty' }, 'Loading…'));
  const cluster = h('div', { id: 'cluster' });
  fill(root,
    h('div', { class: 'page-head' }, h('h1', null, 'Nodes'),
      h('p', { class: 'muted' }, 'The GPUs of each node and the workers on them. Drain a node for maintenance: its running jobs finish or move, and it gets no new workers.')),
    cluster, body);
  const graces = new Map();  // node → its grace input, kept across refreshes so typing survives them
  return {
    async refresh() {
      const cp = await api.get('/v1/cluster');
      fill(cluster, cp.ok ? clusterPanel(cp.data) : []);
      const res = await api.get('/v1/nodes');
      if (!res.ok) {
        fill(body, errorNotice(res, 'Cannot list nodes'));
        return;
      }
      const list = res.data.nodes || [];
      if (list.some(n => graces.get(n.name) === document.activeElement)) return;
      fill(body, list.length ? list.map(n => nodePanel(n, graces, () => ctx.refreshNow()))
        : h('p', { class: 'empty' }, 'No nodes.'));
    },
  };
}

function clusterPanel(c) {
  const time = t => new Date(t).toLocaleTimeString(undefined, { hour12: false });
  return panel(h('span', null, 'Control plane ', h('span', { class: 'muted small' }, 'term ' + num(c.term))),
    table([
      { label: 'Node', cell: n => h('code', null, n.url) },
      { label: 'Role', cell: n => h('span', { class: 'badge ' + (n.leader ? 'ok' : 'muted') }, n.leader ? 'LEADER' : 'STANDBY') },
      { label: 'Since', cell: n => time(n.since) },
      { label: 'Last seen', cell: n => time(n.lastSeen) },
    ], c.nodes || [], { empty: 'No control-plane node heard of.' }), { cls: 'cluster' });
}

function nodePanel(n, graces, changed) {
  if (!graces.has(n.name)) {
    graces.set(n.name, h('input', { type: 'text', class: 'grace', id: 'grace-' + n.name, value: '30s', spellcheck: 'false', 'aria-label': 'Grace period for ' + n.name }));
  }
  const grace = graces.get(n.name);
  const path = '/v1/nodes/' + api.enc(n.name);
  const action = n.state === 'ACTIVE'
    ? h('span', { class: 'inline-form needs-admin' }, h('span', { class: 'muted small' }, 'grace'), grace,
      actionButton('Drain', async () => {
        const ok = await confirmDialog('Drain ' + n.name + '?', `No new workers start on ${n.name}. Running jobs get ${grace.value} to finish; then they move to another node.`,
          { confirmLabel: 'Drain ' + n.name });
        if (!ok) return { ok: true, cancelled: true };
        const res = await report('Drain', api.post(`${path}/drain?grace=${api.enc(grace.value.trim())}`));
        if (res.ok) changed();
        return res;
      }, { cls: 'danger', id: 'drain-' + n.name, success: r => r.cancelled ? null : n.name + ' is draining' }))
    : actionButton('Undrain', async () => {
      const res = await report('Undrain', api.post(`${path}/undrain`));
      if (res.ok) changed();
      return res;
    }, { cls: 'primary', id: 'undrain-' + n.name, needs: 'admin', success: n.name + ' takes workers again' });
  const title = h('span', { class: 'node-title' }, n.name, ' ', h('span', { class: 'badge ' + (NODE_STATE[n.state] || 'muted'), dataset: { node: n.name } }, n.state));
  return panel(title, h('div', { class: 'stack' },
    h('p', { class: 'muted' }, `${num(n.gpusFree)} of ${num(n.gpusTotal)} GPUs free · ${num(n.workers)} workers · ${num(n.inFlight)} jobs running`,
      n.graceEndsAt ? ` · grace ends ${new Date(n.graceEndsAt).toLocaleTimeString(undefined, { hour12: false })}` : ''),
    table([
      { label: 'GPU', cell: g => h('code', null, `${g.type}:${g.index}`) },
      { label: 'Group', cell: g => g.group || '–' },
      { label: 'Held by', cell: g => g.worker ? h('code', null, g.worker) : h('span', { class: 'muted' }, 'free') },
      { label: 'State', cell: g => badge(g.worker ? 'RUNNING' : 'READY') },
    ], n.gpus || [], { empty: 'No GPUs on this node (CPU only).' })), { actions: action, cls: 'node' });
}
