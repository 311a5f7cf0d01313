// Operating one function from its page: releases (promote, roll back, the canary's share), live scaling (the same
// PATCH /v1/functions/{fn}/scaling as `hearth scale`) and deleting it. Each panel renders from the API's answers and
// re-renders after every action.

import * as api from './api.js';
import { h, fill, table, ago } from './dom.js';
import { errorNotice } from './shared.js';
import { actionButton, confirmDialog, field, report, toast } from './ui.js';

const STATUS_CLASS = { active: 'ok', canary: 'wait', inactive: 'muted' };

/** The versions panel: which is active and which the canary, with promote, rollback and canary share. */
export function releasesPanel(fn, onChange) {
  const body = h('div', { id: 'releases' }, h('p', { class: 'empty' }, 'Loading…'));
  const path = '/v1/functions/' + api.enc(fn);
  async function render(force = false) {
    if (!force && document.activeElement && document.activeElement.tagName === 'INPUT' && body.contains(document.activeElement)) return;
    const res = await api.get(path + '/versions');
    if (!res.ok) {
      fill(body, errorNotice(res, 'Cannot list versions'));
      return;
    }
    const { release, versions } = res.data;
    const changed = async r => {
      if (r.ok) await render(true);
      onChange();
      return r;
    };
    const canary = release.canary;
    const share = h('input', { type: 'number', id: 'canary-percent', min: 1, max: 99, value: canary ? canary.percent : 10, 'aria-label': 'Canary share in percent' });
    const controls = h('div', { class: 'toolbar' },
      canary ? h('span', { class: 'muted' }, `v${canary.version} receives ${canary.percent}% of new jobs`) : h('span', { class: 'muted' }, 'No canary running'),
      canary ? h('span', { class: 'inline-form needs-deploy' }, share, h('span', { class: 'muted' }, '%'),
        actionButton('Set share', () => report('Changing the canary share', api.post(path + '/canary', { percent: Number(share.value) })).then(changed),
          { id: 'canary-share', success: 'Canary share changed' })) : null,
      canary ? actionButton('Promote canary', () => report('Promote', api.post(path + '/promote')).then(changed),
        { cls: 'primary', id: 'promote', needs: 'deploy', success: r => `v${r.data.active} is now active` }) : null,
      actionButton(canary ? 'Cancel canary' : 'Roll back', async () => {
        const ok = await confirmDialog(canary ? 'Cancel the canary?' : 'Roll back ' + fn + '?', canary
          ? `Every new job goes to v${release.active} again; jobs already assigned to v${canary.version} finish there.`
          : 'The previous active version serves every new job; busy workers of this version finish their jobs.',
        { confirmLabel: canary ? 'Cancel canary' : 'Roll back' });
        if (!ok) return { ok: true, cancelled: true };
        return changed(await report('Rollback', api.post(path + '/rollback')));
      }, { id: 'rollback', needs: 'deploy', success: r => r.cancelled ? null : `v${r.data.active} is active` }));
    fill(body, controls, table([
      { label: 'Version', cell: v => h('b', null, 'v' + v.version) },
      { label: 'Status', cell: v => h('span', { class: 'badge ' + (STATUS_CLASS[v.status] || 'muted') }, v.status + (v.canaryPercent ? ` ${v.canaryPercent}%` : '')) },
      { label: 'Deployed', cell: v => h('span', { title: v.deployedAt }, ago(v.deployedAt)) },
      { label: 'Bundle', cell: v => h('code', { title: v.bundleSha256 }, (v.bundleSha256 || '').slice(0, 12)) },
      { label: '', cell: v => v.status === 'inactive' ? actionButton('Make active', async () => {
        const ok = await confirmDialog(`Make v${v.version} active?`, `Every new job of ${fn} goes to v${v.version}; busy workers of other versions finish their jobs.`,
          { confirmLabel: 'Make v' + v.version + ' active' });
        if (!ok) return { ok: true, cancelled: true };
        return changed(await report('Rollback', api.post(path + '/rollback', { version: v.version })));
      }, { cls: 'small-button', needs: 'deploy', success: r => r.cancelled ? null : `v${v.version} is active` }) : '' },
    ], versions, { empty: 'No versions.' }));
  }
  return { body, render };
}

/** The scaling form: the values in force, edited live; reset goes back to the manifest's. */
export function scalingPanel(fn, onChange) {
  const body = h('div', { id: 'scaling' }, h('p', { class: 'empty' }, 'Loading…'));
  const path = '/v1/functions/' + api.enc(fn) + '/scaling';
  const inputs = {
    minWorkers: h('input', { type: 'number', id: 'scale-min', min: 0 }),
    maxWorkers: h('input', { type: 'number', id: 'scale-max', min: 1 }),
    bufferWorkers: h('input', { type: 'number', id: 'scale-buffer', min: 0 }),
    idleTimeout: h('input', { type: 'text', id: 'scale-idle', spellcheck: 'false' }),
    scaler: h('select', { id: 'scale-scaler' }, h('option', { value: 'requestCount' }, 'requestCount'), h('option', { value: 'queueDelay' }, 'queueDelay')),
    scalerValue: h('input', { type: 'number', id: 'scale-value', step: 'any', min: 0 }),
  };
  let shown = null;
  const save = h('button', { type: 'submit', class: 'primary', id: 'scale-save' }, 'Save scaling');
  const form = h('form', { class: 'form-grid', onsubmit: async e => {
    e.preventDefault();
    const change = {};
    for (const k of ['minWorkers', 'maxWorkers', 'bufferWorkers']) {
      if (inputs[k].value !== '' && Number(inputs[k].value) !== shown[k]) change[k] = Number(inputs[k].value);
    }
    if (inputs.idleTimeout.value.trim() && inputs.idleTimeout.value.trim() !== shown.idleTimeout) change.idleTimeout = inputs.idleTimeout.value.trim();
    if (inputs.scaler.value !== shown.scaler) change.scaler = inputs.scaler.value;
    if (inputs.scalerValue.value !== '' && Number(inputs.scalerValue.value) !== shown.scalerValue) change.scalerValue = Number(inputs.scalerValue.value);
    if (!Object.keys(change).length) {
      toast('ok', 'Nothing changed');
      return;
    }
    save.disabled = true;
    const res = await report('Saving scaling', api.patch(path, change));
    save.disabled = false;
    if (res.ok) {
      toast('ok', 'Scaling saved: ' + Object.keys(change).join(', '));
      show(res.data.scaling);
      onChange();
    }
  } },
  field('Min workers', inputs.minWorkers), field('Max workers', inputs.maxWorkers), field('Buffer workers', inputs.bufferWorkers),
  field('Idle timeout', inputs.idleTimeout, 'e.g. 30s, 5m'), field('Scaler', inputs.scaler), field('Scaler value', inputs.scalerValue),
  h('div', { class: 'actions form-actions needs-deploy' },
    actionButton('Reset to manifest', async () => {
      const ok = await confirmDialog('Reset scaling?', 'Live changes are dropped and the deployed manifest\'s scaling applies again.', { confirmLabel: 'Reset', danger: false });
      if (!ok) return { ok: true, cancelled: true };
      const res = await report('Reset', api.del(path));
      if (res.ok) {
        show(res.data.scaling);
        onChange();
      }
      return res;
    }, { cls: 'ghost', id: 'scale-reset', success: r => r.cancelled ? null : 'Scaling reset to the manifest' }),
    save));
  function show(s) {
    shown = s;
    for (const k of Object.keys(inputs)) inputs[k].value = s[k] ?? '';
    fill(body, s.liveUpdate ? h('p', { class: 'muted small' }, 'Changed live (until the next deploy): ', Object.keys(s.liveUpdate).join(', ')) : null, form);
  }
  return {
    body,
    /** Fills the form from the function's description; leaves it alone while the person is editing. */
    update(scaling) {
      if (!scaling || form.contains(document.activeElement)) return;
      if (shown && JSON.stringify(shown) === JSON.stringify(scaling)) return;
      show(scaling);
    },
  };
}

/** Deleting the function, after typing its name. */
export function deleteButton(fn) {
  return actionButton('Delete function', async () => {
    const ok = await confirmDialog('Delete ' + fn + '?', 'Its versions are removed, queued jobs are cancelled and its workers drain. This cannot be undone.',
      { confirmLabel: 'Delete ' + fn, typeToConfirm: fn });
    if (!ok) return { ok: true, cancelled: true };
    const res = await report('Delete', api.del('/v1/functions/' + api.enc(fn)));
    if (res.ok) {
      toast('ok', fn + ' deleted');
      location.hash = '#/functions';
    }
    return res;
  }, { cls: 'danger', id: 'delete-function', needs: 'deploy' });
}
