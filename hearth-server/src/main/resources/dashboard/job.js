// One job: its status, timeline (queued → started → finished), placement and output.

import { h, badge, ms, time, dateTime, json } from './dom.js';

const FINAL = new Set(['COMPLETED', 'FAILED', 'CANCELLED', 'TIMED_OUT']);

export function isFinal(status) {
  return FINAL.has(status);
}

const EVENT_LABELS = {
  queued: 'Queued', worker_started: 'Worker started', leased: 'Placed and started', progress: 'Progress',
  requeued: 'Back in the queue', completed: 'Completed', failed: 'Failed', timed_out: 'Timed out', cancelled: 'Cancelled',
};

/** Steps from the server's recorded timeline (GET /v1/jobs/{id}/timeline), when it has one. */
function stepsFromEvents(events) {
  return events.map(e => {
    const note = [];
    if (e.workerId) note.push('worker ' + e.workerId);
    if (e.version !== undefined) note.push('v' + e.version);
    if (e.coldStart !== undefined) note.push(e.coldStart ? 'cold start' : 'warm worker');
    if (e.initTimeMs !== undefined) note.push('init ' + ms(e.initTimeMs));
    if (e.attempt > 1) note.push('attempt ' + e.attempt);
    if (e.waitedMs !== undefined) note.push('waited ' + ms(e.waitedMs));
    if (e.runMs !== undefined) note.push('lost a run of ' + ms(e.runMs) + (e.counted === false ? ', not counted against its retries' : ''));
    const detail = e.detail ? String(e.detail) : '';
    const lines = detail.split('\n').map(l => l.trim()).filter(Boolean);
    // A traceback is long and repeats on every retry: its last line (the exception) goes in the note, the rest folds.
    if (lines.length > 1) note.push(lines[lines.length - 1]);
    else if (detail) note.push(detail);
    const final = ['completed', 'failed', 'timed_out', 'cancelled'].includes(e.type);
    const label = e.type === 'requeued' ? `Back in the queue for attempt ${(e.attempt || 0) + 1}` : EVENT_LABELS[e.type] || e.type;
    return { label, at: e.at, done: true, status: final ? e.type.toUpperCase() : e.type === 'requeued' ? 'requeued' : undefined,
      note: note.join(' · '), more: lines.length > 1 ? detail : null, dur: e.offsetMs, durLabel: '+' };
  });
}

/** Steps from the status object alone: queued, placed and started, finished. */
function stepsFromStatus(job) {
  const steps = [{ label: 'Queued', at: job.createdAt, done: true, note: 'accepted and stored durably' }];
  if (job.startedAt) {
    const how = job.coldStart ? `cold start: waited for a new worker (init ${ms(job.initTime)})` : 'warm worker';
    steps.push({ label: 'Placed and started', at: job.startedAt, done: true, note: `on ${job.workerId || 'a worker'}, v${job.version} · ${how}`, dur: job.delayTime, durLabel: 'waited' });
  } else {
    steps.push({ label: 'Placed and started', done: false, note: job.reason ? 'waiting: ' + job.reason : 'waiting for a worker' });
  }
  if (job.completedAt) {
    steps.push({ label: 'Finished', at: job.completedAt, done: true, status: job.status, note: job.status.replace('_', ' ').toLowerCase(), dur: job.executionTime, durLabel: 'ran' });
  } else if (job.startedAt) {
    steps.push({ label: 'Finished', done: false, note: `running for ${ms(job.executionTime)}` });
  } else {
    steps.push({ label: 'Finished', done: false, note: job.status === 'CANCELLED' ? 'cancelled' : 'not yet' });
  }
  return steps;
}

/**
 * Steps with the durations between them, and a bar in proportion: waiting (with worker start-up) then running.
 * With the server's recorded events the steps are those events; otherwise they come from the status object.
 */
export function timeline(job, events, runs) {
  const steps = events && events.length ? stepsFromEvents(events) : stepsFromStatus(job);
  if (events && events.length && !FINAL.has(job.status)) {
    steps.push({ label: 'Finished', done: false, note: job.startedAt ? `running for ${ms(job.executionTime)}` : 'not yet' });
  }
  // With the recorded totals, the queue delay leaves out runs lost to a requeue (a drained node), shown apart.
  const delay = runs && runs.queueDelayMs !== undefined ? runs.queueDelayMs : job.delayTime || 0;
  const lost = runs && runs.lostRunMs ? runs.lostRunMs : 0;
  const total = delay + lost + (job.executionTime || 0);
  const pct = v => Math.max(total ? (v / total) * 100 : 0, v > 0 ? 1.5 : 0).toFixed(2) + '%';
  const bar = total > 0 ? h('div', { class: 'tl-bar', title: `waited ${ms(delay)}${lost ? `, lost ${ms(lost)} to a requeue` : ''}, ran ${ms(job.executionTime)}` },
    job.coldStart && job.initTime ? h('div', { class: 'tl-seg init', dataset: { w: pct(Math.min(job.initTime, delay)) } }) : null,
    h('div', { class: 'tl-seg wait', dataset: { w: pct(Math.max(0, delay - (job.coldStart ? Math.min(job.initTime || 0, delay) : 0))) } }),
    lost ? h('div', { class: 'tl-seg lost', dataset: { w: pct(lost) } }) : null,
    h('div', { class: 'tl-seg run ' + (job.status === 'COMPLETED' ? 'ok' : FINAL.has(job.status) ? 'bad' : 'live'), dataset: { w: pct(job.executionTime || 0) } })) : null;
  const el = h('div', { class: 'timeline' },
    h('ol', { class: 'tl-steps' }, steps.map(s => h('li', { class: 'tl-step' + (s.done ? ' done' : ' pending') + (s.status ? ' ' + s.status.toLowerCase() : '') },
      h('div', { class: 'tl-dot' }),
      h('div', { class: 'tl-body' },
        h('div', { class: 'tl-title' }, s.label, s.at ? h('span', { class: 'tl-time', title: s.at }, time(s.at)) : null,
          s.dur !== undefined && s.dur !== null ? h('span', { class: 'tl-dur' }, s.durLabel === '+' ? '+' + ms(s.dur) : s.durLabel + ' ' + ms(s.dur)) : null),
        h('div', { class: 'tl-note muted' }, s.note),
        s.more ? h('details', { class: 'tl-more' }, h('summary', null, 'Full error'), h('pre', { class: 'code error-block' }, s.more)) : null)))),
    bar,
    bar ? h('div', { class: 'tl-legend muted' },
      job.coldStart && job.initTime ? h('span', null, h('i', { class: 'sw init' }), 'worker start-up') : null,
      h('span', null, h('i', { class: 'sw wait' }), 'queued'),
      lost ? h('span', null, h('i', { class: 'sw lost' }), 'run lost to a requeue') : null,
      h('span', null, h('i', { class: 'sw run' }), 'execution')) : null);
  // Widths go through CSSOM, which the page's Content-Security-Policy allows (inline style attributes it does not).
  for (const seg of el.querySelectorAll('.tl-seg')) seg.style.width = seg.dataset.w;
  return el;
}

export function jobFacts(job, fn, runs) {
  const facts = [
    ['Job', h('code', { class: 'job-id' }, job.id)],
    ['Function', fn ? h('a', { href: '#/functions/' + encodeURIComponent(fn) }, fn) : '–'],
    ['Status', badge(job.status)],
    ['Version', 'v' + job.version],
    ['Worker', job.workerId ? h('code', null, job.workerId) : '–'],
    ['Attempts', String(runs && runs.attempts !== undefined ? runs.attempts : job.attempts ?? '–')],
    runs && runs.requeues ? ['Requeued', `${runs.requeues}× (runs lost: ${ms(runs.lostRunMs)})`] : null,
    ['Cold start', job.coldStart === undefined ? '–' : job.coldStart ? 'yes (init ' + ms(job.initTime) + ')' : 'no'],
    ['Queue delay', ms(runs && runs.queueDelayMs !== undefined ? runs.queueDelayMs : job.delayTime)],
    ['Execution', ms(job.executionTime)],
    ['Submitted', dateTime(job.createdAt)],
  ];
  return h('dl', { class: 'kv facts' }, facts.filter(Boolean).flatMap(([k, v]) => [h('dt', null, k), h('dd', null, v)]));
}

export function jobOutput(job) {
  return h('div', { class: 'job-output' },
    job.error ? h('div', null, h('h3', null, 'Error'), h('pre', { class: 'code error-block' }, job.error)) : null,
    job.output !== undefined ? h('div', null, h('h3', null, job.status === 'COMPLETED' ? 'Output' : 'Last output'),
      h('pre', { class: 'code output' }, json(job.output))) : null,
    job.output === undefined && !job.error ? h('p', { class: 'empty' }, isFinal(job.status) ? 'No output.' : 'No output yet.') : null);
}
