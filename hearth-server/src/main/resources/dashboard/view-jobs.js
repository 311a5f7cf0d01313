// Jobs: search by id (across all functions when the function is not known), a job's timeline, output and the logs
// of the worker that ran it; without an id, the newest jobs of every function.

import * as api from './api.js';
import { h, fill, panel, table, badge, ms, ago, notice } from './dom.js';
import { errorNotice, optional } from './shared.js';
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
  let recorded = null;  // whether the server records timelines (GET /v1/jobs/{id}/timeline); null until asked
  return {
    async refresh() {
      if (!id) {
        fill(body, await recentAcrossFunctions());
        return;
      }
      if (job && isFinal(job.status) && skeleton) return;
      let events = null;
      if (recorded !== false) {
        const t = await optional(`/v1/jobs/${api.enc(id)}/timeline`);
        recorded = t.available;
        if (t.available && t.res.ok) {
          found = found || t.res.data.function;
          events = t.res.data.events || [];
        }
      }
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
      const logs = await jobLogs(found, job);
      if (!skeleton) {
        skeleton = { head: h('div'), tl: h('div'), facts: h('div'), out: h('div'), logs: h('pre', { class: 'code logs' }), logsTitle: h('h2') };
        fill(body,
          h('div', { class: 'panel' }, skeleton.head),
          h('div', { class: 'grid2' },
            panel('Timeline', skeleton.tl),
            panel('Details', skeleton.facts)),
          panel('Output', skeleton.out),
          h('section', { class: 'panel' },
            h('div', { class: 'panel-head' }, skeleton.logsTitle,
              h('a', { href: '#/functions/' + encodeURIComponent(found), class: 'link' }, 'Function →')),
            h('div', { class: 'panel-body' }, skeleton.logs)));
      }
      fill(skeleton.head, h('div', { class: 'job-head' }, badge(job.status), h('code', { class: 'job-id' }, job.id),
        h('span', { class: 'muted' }, 'in ', h('a', { href: '#/functions/' + encodeURIComponent(found) }, found))));
      fill(skeleton.tl, timeline(job, events));
      fill(skeleton.facts, jobFacts(job, found));
      fill(skeleton.out, jobOutput(job));
      skeleton.logsTitle.textContent = logs.title;
      skeleton.logs.textContent = logs.text;
    },
  };
}

/**
 * The job's own log lines when the server can cut them out (GET /v1/jobs/{id}/logs), else the recent output of the
 * worker that ran it.
 */
async function jobLogs(fn, job) {
  const own = await optional(`/v1/jobs/${api.enc(job.id)}/logs`);
  if (own.available && own.res.ok) {
    const segments = own.res.data.segments || [];
    const text = segments.map(s => (segments.length > 1 ? `── attempt ${s.attempt} on ${s.workerId}${s.truncated ? ' (truncated)' : ''}\n` : '')
      + (s.lines || []).join('\n')).join('\n');
    return { title: 'Logs of this job' + (own.res.data.shared ? ' (may include lines of concurrent jobs)' : ''), text: text || '(no log lines)' };
  }
  const query = job.workerId ? '?tail=300&worker=' + api.enc(job.workerId) : '?tail=300';
  const res = await api.get(`/v1/functions/${api.enc(fn)}/logs${query}`);
  return {
    title: job.workerId ? 'Recent logs of ' + job.workerId : 'Recent logs of ' + fn,
    text: res.ok ? (res.data || '(no log lines)') : 'Cannot read logs: ' + res.error,
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
