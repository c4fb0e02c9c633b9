// Final inspection (总检): the cars waiting for it with their jobs and the
// checks already made; pass, or fail naming the jobs that go back for rework.
import {
  t, fatal, act, idem, toast, el, plateEl, duration, STR, PRIORITY_RANK, loadOrders, followBoard, debounce, showUserErrors, clearErrors, startScreen, setConnPill,
} from './common.js';

const TEXT = {
  title: { zh: '总检', en: 'Final inspection' },
  queue: { zh: '待总检车辆', en: 'Cars waiting for final inspection' },
  none: { zh: '目前没有等待总检的车辆。', en: 'No car waits for final inspection.' },
  pass: { zh: '总检通过', en: 'Pass' },
  fail: { zh: '不通过，返工', en: 'Fail: rework' },
  failPick: { zh: '请勾选需要返工的作业，并写明原因', en: 'Tick the jobs to rework and say why' },
  notes: { zh: '检验意见 / 返工原因', en: 'Notes / why it goes back' },
  notesPass: { zh: '检验意见（可选）', en: 'Notes (optional)' },
  send: { zh: '确认不通过', en: 'Confirm fail' },
  cancel: { zh: '取消', en: 'Cancel' },
  passed: { zh: '总检通过：{p}', en: 'Passed: {p}' },
  failed: { zh: '已退回返工：{p}', en: 'Sent back for rework: {p}' },
  waiting: { zh: '等待 {d}', en: 'waiting {d}' },
  lateBy: { zh: '超时 {d}', en: '{d} late' },
  due: { zh: '承诺 {t}', en: 'due {t}' },
  self: { zh: '自检', en: 'self' },
  lead: { zh: '班组长', en: 'lead' },
  wash: { zh: '需洗车', en: 'wash' },
  rework: { zh: '已返工 {n} 次', en: 'reworked {n}×' },
  pickJobs: { zh: '请至少勾选一项返工作业。', en: 'Tick at least one job to rework.' },
  wrongRole: { zh: '此令牌（{r}）不是质检员，总检会被拒绝。', en: 'Not a QC inspector’s token ({r}): inspections will be refused.' },
};

const ORDER = `id number state priority promisedAt readyAt stage stageSince blockers version reworkCount washRequested
  visit { vehicle { plate make model colour } }
  jobs { id description state safety additional reworkCount technician { shortName } bay { code } }
  checks { kind passed notes checkedAt checkedBy { shortName } job { id } }`;
const INSPECT = `mutation RecordFinalInspection($input: RecordFinalInspectionInput!) {
  recordFinalInspection(input: $input) { repairOrder { id state version } userErrors { code field message } } }`;

const $ = (id) => document.getElementById(id);
const app = { viewer: null, site: null, clock: null, orders: [], failing: new Set(), loads: 0 };
window.bayboard = app;

const setPill = setConnPill;

function dueChip(o) {
  if (!o.promisedAt) return null;
  const late = Math.floor((app.clock.now() - Date.parse(o.promisedAt)) / 60000);
  if (late > 0) return el('span', { class: 'chip late' }, t(TEXT, 'lateBy', { d: duration(late) }));
  return el('span', { class: 'chip' + (late > -30 ? ' soon' : '') }, t(TEXT, 'due', { t: app.clock.time(o.promisedAt) }));
}

function checkChips(o, j) {
  return o.checks.filter((c) => c.job?.id === j.id && c.kind !== 'FINAL')
    .sort((a, b) => Date.parse(b.checkedAt) - Date.parse(a.checkedAt))
    .filter((c, i, all) => all.findIndex((x) => x.kind === c.kind) === i)
    .map((c) => el('span', { class: 'chip ' + (c.passed ? 'ok' : 'late'), title: c.notes || '' },
      `${t(TEXT, c.kind === 'SELF' ? 'self' : 'lead')} ${c.passed ? '✓' : '✗'} ${c.checkedBy?.shortName || ''} ${app.clock.hm.format(new Date(c.checkedAt))}`));
}

async function inspect(card, control, o, passed) {
  const input = { orderId: o.id, expectedVersion: o.version, passed, idempotencyKey: idem() };
  const notes = card.querySelector(passed ? '[name="passNotes"]' : '[name="notes"]')?.value.trim();
  if (notes) input.notes = notes;
  if (!passed) {
    input.failedJobIds = [...card.querySelectorAll('input[name="failedJobIds"]:checked')].map((x) => x.value);
    if (!input.failedJobIds.length) {
      showUserErrors(card, [{ code: 'INVALID', field: ['input', 'failedJobIds'], message: t(TEXT, 'pickJobs') }]);
      return;
    }
  }
  const p = await act({ document: INSPECT, field: 'recordFinalInspection', control, scope: card, variables: { input }, onConflict: () => reloadSoon() });
  if (!p) return;
  app.failing.delete(o.id);
  toast(t(TEXT, passed ? 'passed' : 'failed', { p: o.visit.vehicle.plate }), passed ? 'ok' : 'warn');
  app.orders = app.orders.filter((x) => x.id !== o.id);
  render();
  reloadSoon();
}

function orderCard(o) {
  const v = o.visit.vehicle;
  const failing = app.failing.has(o.id);
  const card = el('article', { class: 'qc-car prio-' + o.priority.toLowerCase() + (failing ? ' failing' : ''), dataset: { order: o.id } });
  const jobs = o.jobs.filter((j) => !['DECLINED', 'CANCELLED'].includes(j.state));
  card.append(...[
    el('div', { class: 'head' }, plateEl(v.plate), el('span', { class: 'model' }, [v.make, v.model, v.colour].filter(Boolean).join(' ')),
      o.priority !== 'NORMAL' ? el('span', { class: 'chip prio-' + o.priority.toLowerCase() }, t(STR.priority, o.priority)) : null,
      o.washRequested ? el('span', { class: 'chip' }, t(TEXT, 'wash')) : null,
      o.reworkCount ? el('span', { class: 'chip rework' }, t(TEXT, 'rework', { n: o.reworkCount })) : null,
      el('span', { class: 'grow' }),
      el('span', { class: 'muted' }, t(TEXT, 'waiting', { d: duration((app.clock.now() - Date.parse(o.stageSince)) / 60000) })),
      dueChip(o)),
    el('div', { class: 'muted' }, o.number),
    el('ul', { class: 'qc-jobs', dataset: { field: 'failedJobIds' } }, jobs.map((j) => el('li', { dataset: { job: j.id } },
      failing ? el('label', { class: 'check' }, el('input', { type: 'checkbox', name: 'failedJobIds', value: j.id, onchange: () => clearErrors(card) }), el('span', { class: 'jd' }, j.description))
        : el('span', { class: 'jd' }, j.description),
      j.safety ? el('span', { class: 'chip safety' }, '⚠') : null,
      el('span', { class: 'muted' }, [j.technician?.shortName, j.bay?.code].filter(Boolean).join(' · ')),
      el('span', { class: 'checks' }, checkChips(o, j))))),
    failing
      ? el('div', { class: 'sheet' }, el('div', { class: 'muted' }, t(TEXT, 'failPick')),
        el('label', {}, t(TEXT, 'notes'), el('textarea', { name: 'notes', maxlength: 500 })),
        el('div', { class: 'actions' },
          el('button', { type: 'button', class: 'bad', dataset: { action: 'recordFinalInspection', passed: 'false' }, onclick: (e) => inspect(card, e.currentTarget, o, false) }, t(TEXT, 'send')),
          el('button', { type: 'button', onclick: () => { app.failing.delete(o.id); render(); } }, t(TEXT, 'cancel'))))
      : el('div', { class: 'actions' },
        el('input', { name: 'passNotes', type: 'text', maxlength: 500, placeholder: t(TEXT, 'notesPass'), 'aria-label': t(TEXT, 'notesPass') }),
        el('button', { type: 'button', class: 'go big', dataset: { action: 'recordFinalInspection', passed: 'true' }, onclick: (e) => inspect(card, e.currentTarget, o, true) }, t(TEXT, 'pass')),
        el('button', { type: 'button', class: 'warn', dataset: { open: 'fail' }, onclick: () => { app.failing.add(o.id); render(); } }, t(TEXT, 'fail'))),
  ].filter(Boolean));
  return card;
}

// render keeps the cards whose order did not change, so a half-written note stays.
function render() {
  const list = app.orders.filter((o) => o.state === 'QC')
    .sort((a, b) => (PRIORITY_RANK[a.priority] ?? 2) - (PRIORITY_RANK[b.priority] ?? 2) || Date.parse(a.stageSince) - Date.parse(b.stageSince));
  $('n').textContent = list.length;
  const box = $('cars');
  const keep = new Map([...box.querySelectorAll(':scope > article')].map((a) => [a.dataset.order, a]));
  const minute = Math.floor(app.clock.now() / 60000);
  box.replaceChildren(...(list.length ? list.map((o) => {
    // A card being failed keeps its ticks and notes: the clock alone does not rebuild it.
    const key = JSON.stringify([o, app.failing.has(o.id), app.failing.has(o.id) ? 0 : minute]);
    const old = keep.get(o.id);
    if (old && old.dataset.key === key) return old;
    const c = orderCard(o);
    c.dataset.key = key;
    return c;
  }) : [el('p', { class: 'empty' }, t(TEXT, 'none'))]));
}

async function load() {
  app.orders = await loadOrders(app.site.id, ['QC'], ORDER);
  app.loads++;
  render();
}
const reloadSoon = debounce(() => load().catch(() => reloadSoon()), 120);

async function start() {
  const started = await startScreen(TEXT, ['QC_INSPECTOR', 'SERVICE_MANAGER', 'ADMIN']);
  if (!started) return;
  Object.assign(app, started);
  $('main').replaceChildren(el('section', { class: 'list' },
    el('h2', {}, el('span', {}, t(TEXT, 'queue')), el('span', { class: 'n', id: 'n' })),
    el('div', { id: 'cars', class: 'cars' })));
  await load();
  app.live = await followBoard(app.site, {
    setPill,
    onChange: (u) => {
      if (u?.at) app.clock.sync(u.at);
      reloadSoon();
    },
  });
  setInterval(render, 60000);
}

start().catch((e) => {
  if (e?.code === 'UNAUTHENTICATED') fatal('token');
  else setPill('error', e?.message);
});
