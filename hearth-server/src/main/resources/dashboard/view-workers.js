// Workers: every worker process with its state, GPUs and load; grouped by state and by GPU.

import * as api from './api.js';
import { h, fill, panel, table, badge, num, ms, ago } from './dom.js';
import { errorNotice } from './shared.js';

const STATES = ['STARTING', 'READY', 'DRAINING'];

/** Chips by state, then one row per GPU type with the devices in use. */
export function workerGroups(workers) {
  const byState = {};
  for (const w of workers) byState[w.state] = (byState[w.state] || 0) + 1;
  const states = [...new Set([...STATES, ...Object.keys(byState)])];
  const byGpu = {};
  for (const w of workers) {
    for (const g of w.gpus || []) {
      const type = g.split(':')[0];
      (byGpu[type] = byGpu[type] || []).push({ device: g, worker: w });
    }
  }
  const busy = workers.filter(w => w.inFlight > 0).length;
  return h('div', { class: 'groups' },
    h('div', { class: 'state-row' }, states.map(s => h('div', { class: 'state-box' },
      h('div', { class: 'state-count' }, num(byState[s] || 0)), badge(s))),
      h('div', { class: 'state-box' }, h('div', { class: 'state-count' }, num(busy)), h('span', { class: 'badge busy' }, 'BUSY'))),
    Object.keys(byGpu).length
      ? h('div', { class: 'gpu-list' }, Object.entries(byGpu).sort().map(([type, list]) =>
        h('div', { class: 'gpu-row' }, h('span', { class: 'gpu-type' }, type), h('span', { class: 'muted' }, list.length + ' in use'),
          h('span', { class: 'gpu-devices' }, list.sort((a, b) => a.device.localeCompare(b.device)).map(x =>
            h('span', { class: 'gpu-dev ' + (x.worker.inFlight > 0 ? 'busy' : 'idle'), title: `${x.device} → ${x.worker.id} (${x.worker.function})` },
              x.device.split(':')[1], ' · ', x.worker.function))))))
      : h('p', { class: 'empty' }, workers.length ? 'No worker holds a GPU.' : 'No workers running; functions scale from zero on demand.'));
}

export function workersTable(workers, { showFunction = true } = {}) {
  return table([
    { label: 'Worker', cell: w => h('code', null, w.id) },
    showFunction ? { label: 'Function', cell: w => h('a', { href: '#/functions/' + encodeURIComponent(w.function) }, w.function) } : null,
    { label: 'Version', cell: w => 'v' + w.version },
    { label: 'State', cell: w => badge(w.state) },
    { label: 'GPUs', cell: w => (w.gpus || []).length ? (w.gpus || []).map(g => h('span', { class: 'chip' }, g)) : h('span', { class: 'muted' }, 'none') },
    { label: 'PID', num: true, cell: w => w.pid ?? '–' },
    { label: 'In flight', num: true, cell: w => num(w.inFlight) },
    { label: 'Jobs done', num: true, cell: w => num(w.jobsDone) },
    { label: 'Init time', num: true, cell: w => w.initTime === undefined ? h('span', { class: 'muted' }, 'starting') : ms(w.initTime) },
    { label: 'Started', cell: w => h('span', { title: w.startedAt }, ago(w.startedAt)) },
  ].filter(Boolean), workers, { empty: 'No workers right now. Functions start workers from zero when jobs arrive.' });
}

export default function workers(root, params, ctx) {
  const groups = h('div', null, h('p', { class: 'empty' }, 'Loading…'));
  const list = h('div', null);
  fill(root,
    h('div', { class: 'page-head' }, h('h1', null, 'Workers'),
      h('p', { class: 'muted' }, 'Worker processes started by this control plane, with their GPUs (CUDA_VISIBLE_DEVICES) and load.')),
    panel('By state and GPU', groups),
    panel('All workers', list));
  return {
    async refresh() {
      const res = await api.get('/v1/workers');
      if (!res.ok) {
        fill(groups, errorNotice(res, 'Cannot list workers'));
        return;
      }
      const ws = res.data.workers || [];
      fill(groups, workerGroups(ws));
      fill(list, workersTable(ws));
    },
  };
}
