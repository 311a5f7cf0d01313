// One function: health, latency and throughput charts, a form to run a job and watch it, recent jobs, its workers,
// scaling events and logs; and operating it: releases, live scaling, delete (function-ops.js).

import * as api from './api.js';
import { h, fill, panel, stat, num, ms, table, badge, ago, time, notice } from './dom.js';
import { lineChart, barChart } from './charts.js';
import { stats, errorNotice, firingAlerts, firingAlertsNotice } from './shared.js';
import { workersTable } from './view-workers.js';
import { jobOutput, isFinal } from './job.js';
import { releasesPanel, scalingPanel, deleteButton } from './function-ops.js';

const WINDOWS = ['15m', '1h', '6h', '24h'];

export default function functionDetail(root, { fn }, ctx) {
  const path = '/v1/functions/' + api.enc(fn);
  const title = h('div', { class: 'page-head' }, h('h1', null, fn), h('p', { class: 'muted' }, 'Loading…'));
  const cards = h('div', { class: 'stats' });
  const alertsBox = h('div', { class: 'alerts-box' });
  let statsAt = 0;
  let tick = 0;
  let lastStats = null;
  let windowSel = sessionStorage.getItem('hearth.window') || '15m';
  const windowButtons = h('div', { class: 'seg' }, WINDOWS.map(w => h('button', {
    type: 'button', class: w === windowSel ? 'active' : null, dataset: { w },
    onclick: e => {
      windowSel = e.currentTarget.dataset.w;
      sessionStorage.setItem('hearth.window', windowSel);
      for (const b of windowButtons.children) b.classList.toggle('active', b.dataset.w === windowSel);
      statsAt = 0;
      ctx.refreshNow();
    },
  }, w)));
  const charts = {
    exec: h('div', { class: 'chart-box' }),
    delay: h('div', { class: 'chart-box' }),
    thru: h('div', { class: 'chart-box' }),
    queue: h('div', { class: 'chart-box' }),
  };
  const jobsBody = h('div', null, h('p', { class: 'empty' }, 'Loading…'));
  const workersBody = h('div');
  const eventsBody = h('div');
  const logsPre = h('pre', { class: 'code logs', id: 'logs' }, '');

  // --- run a job
  const input = h('textarea', { id: 'job-input', rows: 6, spellcheck: 'false', 'aria-label': 'Job input (JSON)' });
  input.value = sessionStorage.getItem('hearth.input:' + fn) || '{\n  "x": 1\n}';
  const runError = h('p', { class: 'error', hidden: true });
  const runResult = h('div', { id: 'run-result' });
  const runButton = h('button', { type: 'submit', class: 'primary', id: 'run-button' }, 'Run job');
  const form = h('form', { class: 'run-form', onsubmit: e => { e.preventDefault(); submit(); } },
    h('label', { for: 'job-input' }, 'Input (JSON, sent as ', h('code', null, '{"input": …}'), ')'),
    input, runError,
    h('div', { class: 'actions' }, h('span', { class: 'muted small' }, 'POST /v2/' + fn + '/run'), runButton));
  let watching = null;

  async function submit() {
    let parsed;
    try {
      parsed = JSON.parse(input.value);
    } catch (e) {
      runError.hidden = false;
      runError.textContent = 'The input is not valid JSON: ' + e.message;
      return;
    }
    runError.hidden = true;
    sessionStorage.setItem('hearth.input:' + fn, input.value);
    runButton.disabled = true;
    const res = await api.post(`/v2/${api.enc(fn)}/run`, { input: parsed });
    runButton.disabled = false;
    if (!res.ok) {
      runError.hidden = false;
      runError.textContent = 'The server refused the job: ' + res.error;
      return;
    }
    watch(res.data.id);
    ctx.refreshNow();
  }

  function watch(id) {
    const token = {};
    watching = token;
    fill(runResult, h('p', { class: 'muted' }, 'Submitted ', h('code', null, id), '…'));
    const poll = async () => {
      if (watching !== token) return;
      const res = await api.get(`/v2/${api.enc(fn)}/status/${api.enc(id)}`);
      if (watching !== token) return;
      if (!res.ok) {
        fill(runResult, errorNotice(res, 'Cannot read the job'));
        return;
      }
      const job = res.data;
      fill(runResult,
        h('div', { class: 'run-head' }, badge(job.status), h('a', { href: `#/jobs/${encodeURIComponent(fn)}/${encodeURIComponent(id)}`, class: 'job-link' }, h('code', null, id)),
          h('span', { class: 'muted' }, job.delayTime !== undefined ? `waited ${ms(job.delayTime)}` : 'waiting',
            job.executionTime !== undefined ? ` · ran ${ms(job.executionTime)}` : '', job.coldStart ? ' · cold start' : '')),
        jobOutput(job));
      if (!isFinal(job.status)) setTimeout(poll, 400);
      else ctx.refreshNow();
    };
    poll();
  }

  const releases = releasesPanel(fn, () => ctx.refreshNow());
  const scaling = scalingPanel(fn, () => ctx.refreshNow());

  fill(root, title, alertsBox, cards,
    panel('Latency and throughput', h('div', { class: 'charts' },
      h('div', null, h('h3', null, 'Execution time'), charts.exec),
      h('div', null, h('h3', null, 'Queue delay'), charts.delay),
      h('div', null, h('h3', null, 'Jobs finished'), charts.thru),
      h('div', null, h('h3', null, 'Queue depth (live)'), charts.queue)), { actions: windowButtons }),
    h('div', { class: 'grid2' },
      panel('Run a job', h('div', null, form, runResult), { cls: 'needs-invoke' }),
      panel('Recent jobs', jobsBody, { actions: h('a', { href: '#/jobs', class: 'link' }, 'Search jobs →') })),
    h('div', { class: 'grid2' },
      panel('Releases', releases.body, { actions: h('span', { class: 'muted small' }, 'hearth versions · promote · rollback') }),
      panel('Scaling', scaling.body, { actions: deleteButton(fn) })),
    panel('Workers', workersBody),
    h('div', { class: 'grid2' },
      panel('Scaling events', eventsBody),
      panel('Logs', logsPre, { actions: h('span', { class: 'muted small' }, 'last 200 lines per worker') })));

  return {
    unmount() { watching = null; },
    async refresh() {
      const first = tick++ === 0;
      const [f, health, jobs, ws, firing] = await Promise.all([api.get(path), api.get(`/v2/${api.enc(fn)}/health`),
        api.get(path + '/jobs?limit=15'), api.get('/v1/workers?function=' + api.enc(fn)), firingAlerts(fn)]);
      fill(alertsBox, firingAlertsNotice(firing));
      if (!f.ok) {
        fill(title, h('h1', null, fn), f.status === 404 ? notice('bad', 'No function named ' + fn + ' is deployed.') : errorNotice(f));
        return;
      }
      const v = f.data;
      ctx.history.push('q:' + fn, v.inQueue);
      scaling.update(v.scaling);
      if (first || tick % 5 === 0) releases.render();
      const sc = v.scaling || {};
      fill(title, h('h1', null, fn, h('span', { class: 'chip' }, 'v' + v.version)),
        h('p', { class: 'muted' }, `${v.runtime} · ${v.gpu ? 'GPU ' + v.gpu : 'CPU only'} · workers ${sc.minWorkers}–${sc.maxWorkers}, `
          + `concurrency ${sc.concurrency}, idle timeout ${sc.idleTimeout} · deployed ${ago(v.deployedAt)}`),
        v.crashLoop ? crashLoopNotice(v.crashLoop, fn)
          : v.reason ? notice('wait', (v.state === 'waitingForGpu' ? 'Waiting for a GPU: ' : 'Waiting: ') + v.reason) : null);

      const now = Date.now();
      if (first || now - statsAt > 5000) {
        statsAt = now;
        const s = await stats(fn, { window: windowSel, buckets: 30 });
        renderCharts(s);
        renderCards(health, s);
      } else {
        renderCards(health, null);
      }
      fill(charts.queue, lineChart([{ name: 'in queue', cls: 's2', values: ctx.history.get('q:' + fn) }],
        ctx.history.get('q:' + fn).map((_, i, a) => `${Math.round((a.length - 1 - i) * ctx.poll / 1000)}s ago`),
        { format: v => num(v), integer: true, empty: 'Collecting samples…' }));

      fill(jobsBody, jobs.ok ? recentJobs(jobs.data.jobs || [], fn) : errorNotice(jobs, 'Cannot list jobs'));
      fill(workersBody, ws.ok ? workersTable(ws.data.workers || [], { showFunction: false }) : errorNotice(ws));

      if (first || tick % 2 === 0) {
        const [ev, logs] = await Promise.all([api.get(path + '/events'), api.get(path + '/logs?tail=200')]);
        fill(eventsBody, ev.ok ? eventsList(ev.data.events || []) : errorNotice(ev));
        if (logs.ok) {
          const atBottom = logsPre.scrollTop + logsPre.clientHeight >= logsPre.scrollHeight - 8;
          const text = logs.data || '';
          if (logsPre.textContent !== text) {
            logsPre.textContent = text || '(no log lines yet)';
            if (atBottom || first) logsPre.scrollTop = logsPre.scrollHeight;
          }
        }
      }
    },
  };

  function renderCards(health, s) {
    const jh = health.ok ? health.data.jobs : {};
    const wh = health.ok ? health.data.workers : {};
    if (s && s.ok) lastStats = s.data;
    const sd = lastStats;
    fill(cards,
      stat('In queue', num(jh.inQueue)),
      stat('Running', num(jh.inProgress)),
      stat('Workers', num((wh.ready || 0) + (wh.initializing || 0)), `${num(wh.idle)} idle · ${num(wh.running)} busy · ${num(wh.initializing)} starting`),
      stat('Completed', num(jh.completed), `${num(jh.failed)} failed · ${num(jh.retried)} retried`),
      stat('Execution p50 / p95', sd && sd.executionTime.count ? `${ms(sd.executionTime.p50)} / ${ms(sd.executionTime.p95)}` : '–',
        sd && sd.executionTime.count ? `p99 ${ms(sd.executionTime.p99)} · ${num(sd.executionTime.count)} jobs in ${windowSel}` : `no jobs in ${windowSel}`),
      stat('Queue delay p95', sd && sd.delayTime.count ? ms(sd.delayTime.p95) : '–',
        sd && sd.delayTime.count ? `p50 ${ms(sd.delayTime.p50)} · ${num(sd.coldStarts)} cold starts in ${windowSel}` : ''));
  }

  function renderCharts(s) {
    if (!s.ok) {
      for (const k of ['exec', 'delay', 'thru']) fill(charts[k], errorNotice(s, 'Cannot read stats'));
      return;
    }
    const b = s.data.buckets;
    const labels = b.map(x => time(x.start).slice(0, s.data.bucketSeconds < 20 ? 8 : 5));
    fill(charts.exec, lineChart([
      { name: 'p50', cls: 's1', values: b.map(x => x.executionTime.p50) },
      { name: 'p95', cls: 's2', values: b.map(x => x.executionTime.p95) },
      { name: 'p99', cls: 's3', values: b.map(x => x.executionTime.p99) }], labels, { format: ms }));
    fill(charts.delay, lineChart([
      { name: 'p50', cls: 's1', values: b.map(x => x.delayTime.p50) },
      { name: 'p95', cls: 's2', values: b.map(x => x.delayTime.p95) }], labels, { format: ms }));
    fill(charts.thru, barChart([
      { name: 'completed', cls: 'ok', values: b.map(x => x.jobs.completed) },
      { name: 'failed / timed out', cls: 'bad', values: b.map(x => x.jobs.failed + x.jobs.timedOut) },
      { name: 'cancelled', cls: 'muted', values: b.map(x => x.jobs.cancelled) }], labels));
  }
}

function recentJobs(jobs, fn) {
  return table([
    { label: 'Job', cell: j => h('a', { href: `#/jobs/${encodeURIComponent(fn)}/${encodeURIComponent(j.id)}` }, h('code', null, j.id.length > 14 ? j.id.slice(0, 14) + '…' : j.id)) },
    { label: 'Status', cell: j => badge(j.status) },
    { label: 'Submitted', cell: j => h('span', { title: j.createdAt }, ago(j.createdAt)) },
    { label: 'Delay', num: true, cell: j => ms(j.delayTime) },
    { label: 'Exec', num: true, cell: j => ms(j.executionTime) },
    { label: 'Cold', cell: j => j.coldStart ? h('span', { class: 'chip wait' }, 'cold') : '' },
  ], jobs, { empty: 'No jobs yet. Run one with the form.' });
}

function eventsList(events) {
  if (!events.length) return h('p', { class: 'empty' }, 'No scaling decisions yet.');
  return h('ul', { class: 'events' }, events.slice().reverse().slice(0, 30).map(e =>
    h('li', null, h('span', { class: 'ev-time', title: e.at }, time(e.at).slice(0, 8)), h('span', null, e.reason))));
}

/** A crash-looping version: its error, what its last worker printed, and the way out. */
function crashLoopNotice(loop, fn) {
  return h('div', { class: 'notice bad crash-loop' },
    h('div', null, 'Crash looping: ' + loop.error),
    loop.lastLines && loop.lastLines.length ? h('pre', { class: 'error-block' }, loop.lastLines.join('\n')) : null,
    h('div', { class: 'small' }, 'Deploy a fix, or run ', h('code', null, 'hearth restart ' + fn),
      ' (POST /v1/functions/' + fn + '/restart) once what the workers lacked is there.'));
}
