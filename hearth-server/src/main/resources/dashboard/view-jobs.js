// Jobs: search by id (across all functions when the function is not known), a job's timeline, output, cost and the
// logs of the worker that ran it, with cancel and retry; without an id, jobs filtered by function, state and time.

import * as api from './api.js';
import { h, fill, panel, table, badge, ms, ago, notice, usd } from './dom.js';
import { errorNotice, optional } from './shared.js';
import { timeline, jobFacts, jobOutput, isFinal } from './job.js';
import { actionButton, confirmDialog, report } from './ui.js';

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
  let recorded = null;
  let costShown = false;
  async function showCost() {
    const cost = await jobCost(found, job);
    costShown = !!cost.querySelector && !!cost.querySelector('#job-cost-total');
    fill(skeleton.cost, cost);
  }  // whether the server records timelines (GET /v1/jobs/{id}/timeline); null until asked
  const filters = id ? null : jobFilters(() => ctx.refreshNow());
  if (filters) body.before(h('div', { class: 'panel search-panel' }, filters.form));
  return {
    async refresh() {
      if (!id) {
        fill(body, await filteredJobs(filters.query()));
        return;
      }
      if (job && isFinal(job.status) && skeleton) {
        // a final job changes no more, but its cost is metered just after it ends: ask until it is there
        if (!costShown) await showCost();
        return;
      }
      let events = null;
      let runs = null;  // the recorded timeline's totals: attempts, requeues, queueDelayMs, lostRunMs
      if (recorded !== false) {
        const t = await optional(`/v1/jobs/${api.enc(id)}/timeline`);
        recorded = t.available;
        if (t.available && t.res.ok) {
          found = found || t.res.data.function;
          events = t.res.data.events || [];
          runs = t.res.data;
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
        skeleton = { head: h('div'), tl: h('div'), facts: h('div'), cost: h('div', { id: 'job-cost' }), out: h('div'), logs: h('pre', { class: 'code logs' }), logsTitle: h('h2') };
        fill(body,
          h('div', { class: 'panel' }, skeleton.head),
          h('div', { class: 'grid2' },
            panel('Timeline', skeleton.tl),
            h('div', { class: 'stack' }, panel('Details', skeleton.facts), panel('Cost', skeleton.cost))),
          panel('Output', skeleton.out),
          h('section', { class: 'panel' },
            h('div', { class: 'panel-head' }, skeleton.logsTitle,
              h('a', { href: '#/functions/' + encodeURIComponent(found), class: 'link' }, 'Function →')),
            h('div', { class: 'panel-body' }, skeleton.logs)));
      }
      fill(skeleton.head, h('div', { class: 'job-head' }, badge(job.status), h('code', { class: 'job-id' }, job.id),
        h('span', { class: 'muted' }, 'in ', h('a', { href: '#/functions/' + encodeURIComponent(found) }, found)),
        h('span', { class: 'job-actions' }, jobActions(found, job, () => { skeleton = null; ctx.refreshNow(); }))));
      await showCost();
      fill(skeleton.tl, timeline(job, events, runs));
      fill(skeleton.facts, jobFacts(job, found, runs));
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

/** Cancel while the job can still be stopped; retry once it failed or timed out (RunPod's /cancel and /retry). */
function jobActions(fn, job, changed) {
  const base = `/v2/${api.enc(fn)}`;
  const out = [];
  if (!isFinal(job.status)) {
    out.push(actionButton('Cancel job', async () => {
      const ok = await confirmDialog('Cancel this job?', 'A queued job never runs; a running one is stopped on its worker.', { confirmLabel: 'Cancel job' });
      if (!ok) return { ok: true, cancelled: true };
      const res = await report('Cancel', api.post(`${base}/cancel/${api.enc(job.id)}`));
      if (res.ok) changed();
      return res;
    }, { cls: 'danger', id: 'cancel-job', needs: 'invoke', success: r => r.cancelled ? null : 'Job cancelled' }));
  }
  if (job.status === 'FAILED' || job.status === 'TIMED_OUT') {
    out.push(actionButton('Retry job', async () => {
      const res = await report('Retry', api.post(`${base}/retry/${api.enc(job.id)}`));
      if (res.ok) changed();
      return res;
    }, { cls: 'primary', id: 'retry-job', needs: 'invoke', success: 'Job queued again' }));
  }
  return out;
}

/** What each attempt cost, from the usage report grouped by job over the job's lifetime. */
async function jobCost(fn, job) {
  if (!job.startedAt) return h('p', { class: 'empty' }, 'Nothing metered yet: the job has not run.');
  const from = new Date(new Date(job.createdAt).getTime() - 1000).toISOString();
  const to = new Date((job.completedAt ? new Date(job.completedAt).getTime() : Date.now()) + 60_000).toISOString();
  const res = await optional(`/v1/usage?groupBy=job&function=${api.enc(fn)}&from=${api.enc(from)}&to=${api.enc(to)}`);
  if (!res.available) return h('p', { class: 'empty' }, 'Metering is not available on this server.');
  if (!res.res.ok) return errorNotice(res.res, 'Cannot read the cost');
  const line = (res.res.data.lines || []).find(l => l.key === job.id);
  if (!line) return h('p', { class: 'empty' }, isFinal(job.status) ? 'No cost recorded for this job.' : 'Metered when the attempt ends.');
  return h('dl', { class: 'kv facts' },
    h('dt', null, 'Cost'), h('dd', { class: 'strong', id: 'job-cost-total' }, usd(line.cost)),
    h('dt', null, 'Busy time'), h('dd', null, ms(line.busyMs)),
    h('dt', null, 'Resources'), h('dd', null, line.resources, ' · ', line.tier),
    h('dt', null, 'Attempts metered'), h('dd', null, String(line.attempts)));
}

const STATES = ['IN_QUEUE', 'IN_PROGRESS', 'COMPLETED', 'FAILED', 'TIMED_OUT', 'CANCELLED'];
const SINCE = [['15m', 'last 15 minutes'], ['1h', 'last hour'], ['24h', 'last 24 hours'], ['7d', 'last 7 days'], ['', 'any time']];

/** Function, state and time filters, kept for the session; query() gives GET /v1/jobs's parameters. */
function jobFilters(onChange) {
  const saved = JSON.parse(sessionStorage.getItem('hearth.jobFilters') || '{}');
  const fnSel = h('select', { id: 'filter-function', 'aria-label': 'Function' }, h('option', { value: '' }, 'all functions'));
  const stateSel = h('select', { id: 'filter-state', 'aria-label': 'State' }, h('option', { value: '' }, 'any state'),
    STATES.map(st => h('option', { value: st }, st)));
  const sinceSel = h('select', { id: 'filter-since', 'aria-label': 'Submitted' }, SINCE.map(([v, label]) => h('option', { value: v }, label)));
  stateSel.value = saved.state || '';
  sinceSel.value = saved.since ?? '24h';
  api.get('/v1/functions').then(res => {
    for (const f of res.ok ? res.data.functions || [] : []) fnSel.append(h('option', { value: f.name }, f.name));
    fnSel.value = saved.function || '';
  });
  const changed = () => {
    sessionStorage.setItem('hearth.jobFilters', JSON.stringify({ function: fnSel.value, state: stateSel.value, since: sinceSel.value }));
    onChange();
  };
  for (const sel of [fnSel, stateSel, sinceSel]) sel.addEventListener('change', changed);
  return {
    form: h('div', { class: 'filters' }, h('span', { class: 'muted small' }, 'Show'), fnSel, stateSel, sinceSel),
    query() {
      const q = new URLSearchParams({ limit: '100' });
      const fn = fnSel.value || saved.function || '';
      if (fn) q.set('function', fn);
      if (stateSel.value) q.set('state', stateSel.value);
      if (sinceSel.value) q.set('since', sinceSel.value);
      return q.toString();
    },
  };
}

async function filteredJobs(query) {
  const res = await api.get('/v1/jobs?' + query);
  if (!res.ok) return errorNotice(res, 'Cannot list jobs');
  const all = res.data.jobs || [];
  return panel('Jobs (newest first, at most 100)', table([
    { label: 'Job', cell: j => h('a', { href: `#/jobs/${encodeURIComponent(j.function)}/${encodeURIComponent(j.id)}` }, h('code', null, j.id)) },
    { label: 'Function', cell: j => h('a', { href: '#/functions/' + encodeURIComponent(j.function) }, j.function) },
    { label: 'Status', cell: j => badge(j.status) },
    { label: 'Attempts', num: true, cell: j => String(j.attempts ?? '–') },
    { label: 'Submitted', cell: j => h('span', { title: j.createdAt }, ago(j.createdAt)) },
    { label: 'Delay', num: true, cell: j => ms(j.delayTime) },
    { label: 'Exec', num: true, cell: j => ms(j.executionTime) },
    { label: 'Worker', cell: j => j.workerId ? h('code', null, j.workerId) : '–' },
  ], all, { empty: 'No jobs match these filters.', rowAttrs: () => ({ class: 'job-row' }) }));
}
