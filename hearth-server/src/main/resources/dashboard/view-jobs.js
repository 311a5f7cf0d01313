// Jobs: search by id (across all functions when the function is not known), a job's timeline, output and the logs
// of the worker that ran it; without an id, the newest jobs of every function.

import * as api from './api.js';
import { h, fill, panel, table, badge, ms, ago, notice } from './dom.js';
import { errorNotice } from './shared.js';
import { timeline, jobFacts, jobOutput, isFinal } from './job.js';

export default function jobs(root, { fn, id }, ctx) {
  const search = h('input', { id: 'job-search', type: 'search', placeholder: 'Job id', value: id || '', spellcheck: 'false', 'aria-label': 'Job id' });
  const form = h('form', { class: 'search', onsubmit: e => {
    e.preventDefault();
    const q = search.value.trim();
    location.hash = q ? '#/jobs/' + encodeURIComponent(q) : '#/jobs';
  } }, search, h('button', { type: 'submit', class: 'primary' }, 'Find job'));
  const body = h('div', { id: 'job-view' }, h('p', { class: 'empty' }, id ? 'Looking for ' + id + '…' : 'Loading…'));
  fill(root,
    h('div', { class: 'page-head' }, h('h1', null, 'Jobs'),
      h('p', { class: 'muted' }, 'Find a job by id to see its timeline, placement, output and its worker\'s logs.')),
    h('div', { class: 'panel search-panel' }, form),
    body);

  let found = fn || null;
  let job = null;
  let skeleton = null;
  return {
    async refresh() {
      if (!id) {
        fill(body, await recentAcrossFunctions());
        return;
      }
      if (job && isFinal(job.status) && skeleton) return;
      if (!found) {
        found = await locate(id);
        if (!found) {
          fill(body, notice('bad', 'No job with id ' + id + ' in any deployed function.'));
          return;
        }
      }
      const res = await api.get(`/v2/${api.enc(found)}/status/${api.enc(id)}`);
      if (!res.ok) {
        fill(body, res.status === 404 ? notice('bad', `No job ${id} in function ${found}.`) : errorNotice(res, 'Cannot read the job'));
        return;
      }
      job = res.data;
      const logsQuery = job.workerId ? '?tail=300&worker=' + api.enc(job.workerId) : '?tail=300';
      const logs = await api.get(`/v1/functions/${api.enc(found)}/logs${logsQuery}`);
      if (!skeleton) {
        skeleton = { head: h('div'), tl: h('div'), facts: h('div'), out: h('div'), logs: h('pre', { class: 'code logs' }) };
        fill(body,
          h('div', { class: 'panel' }, skeleton.head),
          h('div', { class: 'grid2' },
            panel('Timeline', skeleton.tl),
            panel('Details', skeleton.facts)),
          panel('Output', skeleton.out),
          panel(job.workerId ? 'Logs of ' + job.workerId : 'Logs of ' + found, skeleton.logs,
            { actions: h('a', { href: '#/functions/' + encodeURIComponent(found), class: 'link' }, 'Function →') }));
      }
      fill(skeleton.head, h('div', { class: 'job-head' }, badge(job.status), h('code', { class: 'job-id' }, job.id),
        h('span', { class: 'muted' }, 'in ', h('a', { href: '#/functions/' + encodeURIComponent(found) }, found))));
      fill(skeleton.tl, timeline(job));
      fill(skeleton.facts, jobFacts(job, found));
      fill(skeleton.out, jobOutput(job));
      skeleton.logs.textContent = logs.ok ? (logs.data || '(no log lines)') : 'Cannot read logs: ' + logs.error;
    },
  };
}

/** The function that has the job: asks each function's status endpoint (404 from all others). */
async function locate(id) {
  const fns = await api.get('/v1/functions');
  if (!fns.ok) return null;
  const hits = await Promise.all((fns.data.functions || []).map(async f =>
    (await api.get(`/v2/${api.enc(f.name)}/status/${api.enc(id)}`)).ok ? f.name : null));
  return hits.find(Boolean) || null;
}

async function recentAcrossFunctions() {
  const fns = await api.get('/v1/functions');
  if (!fns.ok) return errorNotice(fns, 'Cannot list functions');
  const lists = await Promise.all((fns.data.functions || []).map(async f => {
    const r = await api.get(`/v1/functions/${api.enc(f.name)}/jobs?limit=20`);
    return r.ok ? (r.data.jobs || []).map(j => ({ ...j, fn: f.name })) : [];
  }));
  const all = lists.flat().sort((a, b) => b.createdAt.localeCompare(a.createdAt)).slice(0, 40);
  return panel('Newest jobs', table([
    { label: 'Job', cell: j => h('a', { href: `#/jobs/${encodeURIComponent(j.fn)}/${encodeURIComponent(j.id)}` }, h('code', null, j.id)) },
    { label: 'Function', cell: j => h('a', { href: '#/functions/' + encodeURIComponent(j.fn) }, j.fn) },
    { label: 'Status', cell: j => badge(j.status) },
    { label: 'Submitted', cell: j => h('span', { title: j.createdAt }, ago(j.createdAt)) },
    { label: 'Delay', num: true, cell: j => ms(j.delayTime) },
    { label: 'Exec', num: true, cell: j => ms(j.executionTime) },
    { label: 'Worker', cell: j => j.workerId ? h('code', null, j.workerId) : '–' },
  ], all, { empty: 'No jobs yet.' }));
}
