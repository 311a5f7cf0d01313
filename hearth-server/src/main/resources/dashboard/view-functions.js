// All functions, with their live queue depth, and deploying a new one (or a new version) from a zip or a directory.

import * as api from './api.js';
import { h, fill, panel } from './dom.js';
import { loadFunctions, functionsTable, errorNotice } from './shared.js';
import { field, report, toast } from './ui.js';
import { zip, directoryFiles } from './zip.js';

export default function functionsList(root, params, ctx) {
  const body = h('div', { id: 'functions-table' }, h('p', { class: 'empty' }, 'Loading…'));
  fill(root,
    h('div', { class: 'page-head' }, h('h1', null, 'Functions'),
      h('p', { class: 'muted' }, 'Deployed functions. Open one to run a job, see its latency, workers, scaling events and logs.')),
    panel('Deployed functions', body),
    panel('Deploy', deployForm(ctx), { cls: 'needs-deploy', actions: h('span', { class: 'muted small' }, 'the same as hearth deploy: POST /v1/functions') }));
  return {
    async refresh() {
      const f = await loadFunctions(ctx.history);
      fill(body, f.res.ok ? functionsTable(f.functions, f.health, f.stats, ctx.history)
        : errorNotice(f.res, 'Cannot list functions'));
    },
  };
}

/** A zip with hearth.yaml at its root, or a directory holding hearth.yaml; optionally as a canary. */
function deployForm(ctx) {
  const zipInput = h('input', { type: 'file', id: 'deploy-zip', accept: '.zip,application/zip' });
  const dirInput = h('input', { type: 'file', id: 'deploy-dir', webkitdirectory: true, multiple: true });
  const canary = h('input', { type: 'number', id: 'deploy-canary', min: 1, max: 99, placeholder: 'none' });
  const status = h('p', { class: 'muted small', id: 'deploy-status' });
  const button = h('button', { type: 'submit', class: 'primary', id: 'deploy-button' }, 'Deploy');
  const form = h('form', { class: 'form-grid', onsubmit: async e => {
    e.preventDefault();
    let blob;
    try {
      if (zipInput.files.length) {
        blob = zipInput.files[0];
      } else if (dirInput.files.length) {
        blob = zip(await directoryFiles(dirInput.files));
      } else {
        toast('bad', 'Choose a zip or a directory with hearth.yaml first');
        return;
      }
    } catch (err) {
      toast('bad', 'Cannot read the directory: ' + err.message);
      return;
    }
    button.disabled = true;
    status.textContent = 'Uploading ' + Math.round(blob.size / 1024) + ' KiB…';
    const query = canary.value ? '?canary=' + api.enc(canary.value) : '';
    const res = await report('Deploy', api.call('POST', '/v1/functions' + query, blob, { contentType: 'application/zip' }));
    button.disabled = false;
    if (!res.ok) {
      status.textContent = 'Not deployed: ' + res.error;
      return;
    }
    const d = res.data;
    status.textContent = '';
    toast('ok', `Deployed ${d.name} v${d.version}` + (d.canaryPercent ? ` as a ${d.canaryPercent}% canary` : ''));
    zipInput.value = '';
    dirInput.value = '';
    ctx.refreshNow();
    location.hash = '#/functions/' + encodeURIComponent(d.name);
  } },
  field('Zip file', zipInput, 'hearth.yaml at the zip\'s root'),
  field('or a directory', dirInput, 'the directory that holds hearth.yaml'),
  field('Canary share (%)', canary, 'empty: the new version takes every new job (rolling)'),
  h('div', { class: 'actions form-actions' }, status, button));
  return form;
}
