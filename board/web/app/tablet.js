// The technician's tablet (技师作业): my jobs in order of priority with the
// actions of their state (start, pause with a reason, resume, progress,
// finish, self-check), additional work found during repair, the cars'
// inspections (电子检查单: each item green/amber/red with a note and photos
// from the camera, an amber or red one proposed as additional work in one
// tap), and for a team lead the team-lead checks waiting for them. Live from
// boardFeed.
import {
  t, gql, boot, fatal, act, idem, toast, el, plateEl, duration, STR, PRIORITY_RANK,
  loadOrders, followBoard, debounce, connText, showUserErrors,
  STAFF_ROLES, settings,
} from './common.js';

const TEXT = {
  title: { zh: '我的作业', en: 'My jobs' },
  mine: { zh: '我的作业', en: 'My jobs' },
  checks: { zh: '待我检验（班组长）', en: 'Team-lead checks for me' },
  done: { zh: '已完工', en: 'Finished' },
  none: { zh: '目前没有派给您的作业。', en: 'No jobs dispatched to you right now.' },
  noChecks: { zh: '没有待检验的作业。', en: 'No checks waiting.' },
  start: { zh: '开工', en: 'Start' },
  restart: { zh: '开始返工', en: 'Start rework' },
  pause: { zh: '暂停', en: 'Pause' },
  resume: { zh: '继续', en: 'Resume' },
  finish: { zh: '完工', en: 'Finish' },
  progress: { zh: '进度', en: 'Progress' },
  additional: { zh: '报增项', en: 'Additional work' },
  selfOk: { zh: '自检合格', en: 'Self-check OK' },
  selfFail: { zh: '自检不合格', en: 'Self-check failed' },
  leadOk: { zh: '检验合格', en: 'Check passed' },
  leadFail: { zh: '检验不合格（返工）', en: 'Check failed (rework)' },
  pauseWhy: { zh: '暂停原因', en: 'Why pause?' },
  note: { zh: '说明', en: 'Note' },
  notes: { zh: '问题说明（不合格时必填）', en: 'What is wrong (required when it fails)' },
  send: { zh: '提交', en: 'Send' },
  cancel: { zh: '取消', en: 'Cancel' },
  desc: { zh: '增项内容', en: 'What needs doing' },
  reason: { zh: '发现的问题', en: 'What was found' },
  labourMinutes: { zh: '工时（分钟）', en: 'Labour (min)' },
  labourPrice: { zh: '工时费（元，空则按标准）', en: 'Labour price (empty: site rate)' },
  extraMinutes: { zh: '需延长时间（分钟）', en: 'Extra time (min)' },
  safety: { zh: '涉及安全', en: 'Safety-relevant' },
  askCustomer: { zh: '提交给服务顾问，客户确认前不能施工', en: 'Goes to the advisor: no work before the customer agrees' },
  bay: { zh: '工位', en: 'Bay' },
  promised: { zh: '承诺', en: 'Due' },
  lateBy: { zh: '超时 {d}', en: '{d} late' },
  worked: { zh: '已做 {w} / 工时 {l}', en: 'worked {w} / sold {l}' },
  pausedFor: { zh: '暂停：{r}', en: 'Paused: {r}' },
  reworkWhy: { zh: '返工原因：{r}', en: 'Rework: {r}' },
  by: { zh: '技师 {t}', en: 'by {t}' },
  sent: { zh: '已提交', en: 'Sent' },
  addSent: { zh: '增项已提交，等待客户确认', en: 'Additional work sent: waiting for the customer' },
  notTech: { zh: '此令牌不是技师（{r}）：只显示派给该用户的作业。', en: 'Not a technician’s token ({r}): showing jobs dispatched to this user.' },
};

const JOB = `id description state labourMinutes safety additional progress pauseReason pauseNote reworkCount reworkReason
  workedMinutes startedAt version technician { id shortName team teamLead } bay { id code }`;
const ITEM = `id seq name status note version additionalWork { id state } attachments { id contentType url thumbnailUrl }`;
const ORDER = `id number state priority promisedAt readyAt stage blockers version workType
  visit { vehicle { plate make model colour } } jobs { ${JOB} } inspections { id name items { ${ITEM} } }`;
const STATES = ['IN_WORK', 'QC'];
const MUT = (name, type) => `mutation ${name[0].toUpperCase() + name.slice(1)}($input: ${type}!) {
  ${name}(input: $input) { job { ${JOB} } userErrors { code field message } } }`;
const ADD = `mutation RequestAdditionalWork($input: RequestAdditionalWorkInput!) {
  requestAdditionalWork(input: $input) { additionalWork { id state } userErrors { code field message } } }`;

// Which of my jobs come first: the one in hand, then what I can start, then
// what waits for my self-check; within that the urgent car, then the promise.
const STATE_RANK = { IN_PROGRESS: 0, PAUSED: 1, REWORK: 2, DISPATCHED: 3, FINISHED: 4, SELF_CHECKED: 5, DONE: 6 };
const MINE = new Set(Object.keys(STATE_RANK));

const $ = (id) => document.getElementById(id);
const app = { viewer: null, site: null, clock: null, orders: [], open: new Map(), loads: 0, live: null,
  checklists: [], notes: new Map(), items: new Map(), uploading: new Set() };
window.bayboard = app;

function setPill(state, detail) {
  $('conn').dataset.state = state;
  $('conn').textContent = connText(state, detail);
}

function tick() {
  if (app.clock) $('clock').textContent = app.clock.hm.format(app.clock.now());
}

// rows flattens orders into { job, order } pairs.
const rows = () => app.orders.flatMap((o) => o.jobs.map((j) => ({ job: j, order: o })));

function mine() {
  return rows()
    .filter((r) => r.job.technician?.id === app.viewer.id && MINE.has(r.job.state))
    .sort((a, b) => STATE_RANK[a.job.state] - STATE_RANK[b.job.state]
      || (PRIORITY_RANK[a.order.priority] ?? 2) - (PRIORITY_RANK[b.order.priority] ?? 2)
      || Date.parse(a.order.promisedAt || 0) - Date.parse(b.order.promisedAt || 0));
}

// leadChecks are the self-checked jobs waiting for me as a team lead: my
// team's, and another lead's (a lead does not pass his own work; the server
// refuses that too), my team's first.
function leadChecks() {
  if (!app.viewer.teamLead) return [];
  const mineTeam = (r) => !!app.viewer.team && r.job.technician.team === app.viewer.team;
  return rows().filter((r) => r.job.state === 'SELF_CHECKED' && r.job.technician && r.job.technician.id !== app.viewer.id
    && (mineTeam(r) || r.job.technician.teamLead || !app.viewer.team))
    .sort((a, b) => Number(mineTeam(b)) - Number(mineTeam(a)));
}

function dueChip(order) {
  if (!order.promisedAt) return null;
  const late = Math.floor((app.clock.now() - Date.parse(order.promisedAt)) / 60000);
  if (late > 0 && !order.readyAt) return el('span', { class: 'chip late' }, t(TEXT, 'lateBy', { d: duration(late) }));
  return el('span', { class: 'chip' + (late > -30 ? ' soon' : '') }, t(TEXT, 'promised') + ' ' + app.clock.time(order.promisedAt));
}

// run sends one job mutation from a card; on CONFLICT the card shows the job
// as it is now.
async function run(card, control, name, type, input) {
  const section = card.closest('section')?.id;
  const p = await act({
    document: MUT(name, type), field: name, control,
    scope: () => (section && document.querySelector(`#${section} [data-job="${input.jobId}"]`)) || card,
    variables: { input: { idempotencyKey: idem(), ...input } },
    onConflict: (pl) => pl.job && replaceJob(pl.job),
  });
  if (!p) return false;
  replaceJob(p.job);
  app.open.delete(p.job.id);
  render();
  reloadSoon();
  return true;
}

function replaceJob(job) {
  for (const o of app.orders) {
    const i = o.jobs.findIndex((j) => j.id === job.id);
    if (i >= 0) o.jobs[i] = job;
  }
  render();
}

function jobCard({ job, order }, { lead = false } = {}) {
  const v = order.visit.vehicle;
  const base = { jobId: job.id, expectedVersion: job.version };
  const card = el('article', { class: `job st-${job.state.toLowerCase()} prio-${order.priority.toLowerCase()}`, dataset: { job: job.id, order: order.id, state: job.state } });
  const btn = (key, name, cls, onclick, extra = {}) => el('button', { type: 'button', class: cls, dataset: { action: name, ...extra }, onclick }, t(TEXT, key));
  const open = app.open.get(job.id);
  const actions = [];
  let sheet = null;
  if (lead) {
    actions.push(btn('leadOk', 'recordTeamLeadCheck', 'go', (e) => run(card, e.currentTarget, 'recordTeamLeadCheck', 'RecordJobCheckInput', { ...base, passed: true }), { passed: 'true' }));
    actions.push(btn('leadFail', 'recordTeamLeadCheck', 'warn', () => toggle(job.id, 'leadFail'), { passed: 'false', open: 'true' }));
    if (open === 'leadFail') sheet = failSheet(card, job, 'recordTeamLeadCheck');
  } else {
    switch (job.state) {
      case 'DISPATCHED':
      case 'REWORK':
        actions.push(btn(job.state === 'REWORK' ? 'restart' : 'start', 'startJob', 'go big', (e) => run(card, e.currentTarget, 'startJob', 'JobActionInput', base)));
        break;
      case 'IN_PROGRESS':
        actions.push(btn('pause', 'pauseJob', 'warn', () => toggle(job.id, 'pause'), { open: 'true' }));
        for (const p of [25, 50, 75]) {
          if (p <= job.progress) continue;
          actions.push(el('button', { type: 'button', dataset: { action: 'reportJobProgress', progress: p },
            onclick: (e) => run(card, e.currentTarget, 'reportJobProgress', 'ReportJobProgressInput', { ...base, progress: p }) }, `${p}%`));
        }
        actions.push(btn('finish', 'finishJob', 'primary', (e) => run(card, e.currentTarget, 'finishJob', 'JobActionInput', base)));
        actions.push(btn('additional', 'requestAdditionalWork', '', () => toggle(job.id, 'add'), { open: 'true' }));
        if (open === 'pause') sheet = pauseSheet(card, job);
        if (open === 'add') sheet = addSheet(card, job, order);
        break;
      case 'PAUSED':
        actions.push(btn('resume', 'resumeJob', 'go big', (e) => run(card, e.currentTarget, 'resumeJob', 'JobActionInput', base)));
        actions.push(btn('additional', 'requestAdditionalWork', '', () => toggle(job.id, 'add'), { open: 'true' }));
        if (open === 'add') sheet = addSheet(card, job, order);
        break;
      case 'FINISHED':
        actions.push(btn('selfOk', 'recordSelfCheck', 'go', (e) => run(card, e.currentTarget, 'recordSelfCheck', 'RecordJobCheckInput', { ...base, passed: true }), { passed: 'true' }));
        actions.push(btn('selfFail', 'recordSelfCheck', 'warn', () => toggle(job.id, 'selfFail'), { passed: 'false', open: 'true' }));
        if (open === 'selfFail') sheet = failSheet(card, job, 'recordSelfCheck');
        break;
      default:
    }
  }
  const stateChip = el('span', { class: 'chip ' + (job.state === 'IN_PROGRESS' ? 'running' : job.state === 'PAUSED' ? 'paused' : job.state === 'REWORK' ? 'rework' : '') }, t(STR.jobState, job.state));
  card.append(...[
    el('div', { class: 'head' },
      plateEl(v.plate),
      el('span', { class: 'model' }, [v.make, v.model, v.colour].filter(Boolean).join(' ')),
      order.priority !== 'NORMAL' ? el('span', { class: 'chip prio-' + order.priority.toLowerCase() }, t(STR.priority, order.priority)) : null,
      dueChip(order)),
    el('div', { class: 'desc' }, job.description, job.safety ? el('span', { class: 'chip safety' }, '⚠ ' + t(TEXT, 'safety')) : null),
    el('div', { class: 'meta' },
      stateChip,
      job.bay ? el('span', { class: 'chip' }, t(TEXT, 'bay') + ' ' + job.bay.code) : null,
      lead ? el('span', { class: 'muted' }, t(TEXT, 'by', { t: job.technician?.shortName || '' })) : null,
      el('span', { class: 'muted' }, t(TEXT, 'worked', { w: duration(job.workedMinutes), l: duration(job.labourMinutes) })),
      el('span', { class: 'muted' }, order.number)),
    job.state === 'PAUSED' && job.pauseReason ? el('div', { class: 'note' }, t(TEXT, 'pausedFor', { r: t(STR.pauseReason, job.pauseReason) + (job.pauseNote ? ' · ' + job.pauseNote : '') })) : null,
    job.reworkReason && ['REWORK', 'IN_PROGRESS', 'DISPATCHED'].includes(job.state) && job.reworkCount > 0 ? el('div', { class: 'note bad' }, t(TEXT, 'reworkWhy', { r: job.reworkReason })) : null,
    el('div', { class: 'bar', title: job.progress + '%' }, el('div', { class: 'fill', style: `width:${job.progress}%` })),
    actions.length ? el('div', { class: 'actions' }, actions) : null,
    sheet].filter(Boolean));
  return card;
}

function toggle(id, what) {
  if (app.open.get(id) === what) app.open.delete(id);
  else app.open.set(id, what);
  render();
}

function pauseSheet(card, job) {
  const note = el('input', { name: 'note', type: 'text', maxlength: 200, placeholder: t(TEXT, 'note') });
  return el('div', { class: 'sheet', dataset: { sheet: 'pause' } },
    el('div', { class: 'sheet-title' }, t(TEXT, 'pauseWhy')),
    el('div', { class: 'reasons', dataset: { field: 'reason' } }, Object.keys(STR.pauseReason).map((r) => el('button', {
      type: 'button', class: 'warn', dataset: { action: 'pauseJob', reason: r },
      onclick: (e) => run(card, e.currentTarget, 'pauseJob', 'PauseJobInput', { jobId: job.id, expectedVersion: job.version, reason: r, note: note.value.trim() || null }),
    }, t(STR.pauseReason, r)))),
    el('label', {}, t(TEXT, 'note'), note),
    el('div', { class: 'actions' }, el('button', { type: 'button', onclick: () => toggle(job.id, 'pause') }, t(TEXT, 'cancel'))));
}

function failSheet(card, job, name) {
  const notes = el('textarea', { name: 'notes', maxlength: 500 });
  return el('div', { class: 'sheet', dataset: { sheet: name } },
    el('label', {}, t(TEXT, 'notes'), notes),
    el('div', { class: 'actions' },
      el('button', { type: 'button', class: 'bad', dataset: { action: name, passed: 'false' },
        onclick: (e) => run(card, e.currentTarget, name, 'RecordJobCheckInput', { jobId: job.id, expectedVersion: job.version, passed: false, notes: notes.value.trim() || null }) },
      t(TEXT, 'send')),
      el('button', { type: 'button', onclick: () => toggle(job.id, name === 'recordSelfCheck' ? 'selfFail' : 'leadFail') }, t(TEXT, 'cancel'))));
}

function addSheet(card, job, order) {
  const f = {
    description: el('input', { name: 'description', type: 'text', maxlength: 200, required: true }),
    reason: el('input', { name: 'reason', type: 'text', maxlength: 500 }),
    labourMinutes: el('input', { name: 'labourMinutes', type: 'number', min: 1, max: 6000, step: 5, value: 30, inputmode: 'numeric' }),
    labourPrice: el('input', { name: 'labourPrice', type: 'text', inputmode: 'decimal', placeholder: '—' }),
    extraMinutes: el('input', { name: 'extraMinutes', type: 'number', min: 0, max: 6000, step: 5, value: 30, inputmode: 'numeric' }),
    safety: el('input', { name: 'safety', type: 'checkbox' }),
  };
  const sheet = el('div', { class: 'sheet', dataset: { sheet: 'additional', additional: 'new' } },
    el('label', {}, t(TEXT, 'desc'), f.description),
    el('label', {}, t(TEXT, 'reason'), f.reason),
    el('div', { class: 'row' }, el('label', {}, t(TEXT, 'labourMinutes'), f.labourMinutes), el('label', {}, t(TEXT, 'labourPrice'), f.labourPrice)),
    el('div', { class: 'row' }, el('label', {}, t(TEXT, 'extraMinutes'), f.extraMinutes), el('label', { class: 'check' }, f.safety, t(TEXT, 'safety'))),
    el('div', { class: 'muted' }, t(TEXT, 'askCustomer')),
    el('div', { class: 'actions' },
      el('button', { type: 'button', class: 'primary', dataset: { action: 'requestAdditionalWork' }, onclick: async (e) => {
        const num = (x) => (x.value === '' ? NaN : Number(x.value));
        const input = {
          orderId: order.id, foundOnJobId: job.id, description: f.description.value.trim(), reason: f.reason.value.trim(),
          labourMinutes: num(f.labourMinutes), extraMinutes: num(f.extraMinutes), safety: f.safety.checked, idempotencyKey: idem(),
        };
        if (f.labourPrice.value.trim()) input.labourPrice = f.labourPrice.value.trim();
        // The server checks every rule; a number box left empty is said here, by its field.
        const bad = ['labourMinutes', 'extraMinutes'].filter((k) => !Number.isInteger(input[k]));
        if (bad.length) {
          showUserErrors(sheet, bad.map((k) => ({ code: 'INVALID', field: ['input', k], message: t({ zh: '请填写整数分钟数。', en: 'Enter whole minutes.' }) })));
          return;
        }
        const p = await act({ document: ADD, field: 'requestAdditionalWork', control: e.currentTarget, scope: sheet, variables: { input } });
        if (!p) return;
        app.open.delete(job.id);
        toast(t(TEXT, 'addSent'));
        render();
        reloadSoon();
      } }, t(TEXT, 'send')),
      el('button', { type: 'button', onclick: () => toggle(job.id, 'add') }, t(TEXT, 'cancel'))));
  return sheet;
}

// carrySheet copies what was typed (and ticked) in the open sheet of a card
// being replaced into the new card's sheet, and keeps the focus where it was.
function carrySheet(from, to) {
  const focused = document.activeElement;
  for (const f of from.querySelectorAll('.sheet [name]')) {
    const g = to.querySelector(`.sheet[data-sheet="${f.closest('.sheet').dataset.sheet}"] [name="${f.name}"]`);
    if (!g) continue;
    if (f.type === 'checkbox' || f.type === 'radio') g.checked = f.checked;
    else g.value = f.value;
    if (f === focused) queueMicrotask(() => g.focus());
  }
}

// render keeps an open sheet's typed text: it rebuilds only cards that
// changed, and carries the typing into a rebuilt one.
function render() {
  const main = $('main');
  const my = mine();
  const active = my.filter((r) => !['SELF_CHECKED', 'DONE'].includes(r.job.state));
  const finished = my.filter((r) => ['SELF_CHECKED', 'DONE'].includes(r.job.state));
  const checks = leadChecks();
  const section = (id, title, list, empty, opts) => {
    let s = $(id);
    if (!s) {
      s = el('section', { id, class: 'list' }, el('h2', {}, el('span', { class: 't' }), el('span', { class: 'n' })), el('div', { class: 'cards' }));
      main.append(s);
    }
    s.querySelector('.t').textContent = title;
    s.querySelector('.n').textContent = list.length;
    const box = s.querySelector('.cards');
    const keep = new Map([...box.querySelectorAll(':scope > article')].map((a) => [a.dataset.job, a]));
    const next = list.map((r) => {
      // A card with an open sheet is not rebuilt by the clock alone: typed text stays.
      const open = app.open.get(r.job.id) || '';
      const key = JSON.stringify([r.job, r.order.priority, r.order.promisedAt, open, open ? 0 : Math.floor(app.clock.now() / 60000)]);
      const old = keep.get(r.job.id);
      if (old && old.dataset.key === key) return old;
      const c = jobCard(r, opts);
      c.dataset.key = key;
      if (old && open) carrySheet(old, c); // the job changed under an open sheet: what was typed stays
      return c;
    });
    box.replaceChildren(...(next.length ? next : [el('p', { class: 'empty' }, empty)]));
    return s;
  };
  section('mine', t(TEXT, 'mine'), active, t(TEXT, 'none'));
  renderInspections(main);
  const cs = section('checks', t(TEXT, 'checks'), checks, t(TEXT, 'noChecks'), { lead: true });
  cs.hidden = !app.viewer.teamLead;
  const ds = section('finished', t(TEXT, 'done'), finished, '');
  ds.hidden = finished.length === 0;
}

async function load() {
  const [orders, lists] = await Promise.all([loadOrders(app.site.id, STATES, ORDER),
    gql('query Checklists($siteId: ID!) { inspectionChecklists(siteId: $siteId) { id name workType entries { name } } }', { siteId: app.site.id })]);
  app.orders = orders;
  app.checklists = lists.inspectionChecklists;
  app.loads++;
  render();
}
const reloadSoon = debounce(() => load().catch(() => reloadSoon()), 120);

async function start() {
  $('title').textContent = t(TEXT, 'title');
  document.title = t(TEXT, 'title') + ' · Bayboard';
  setPill('connecting');
  try {
    Object.assign(app, await boot({ roles: STAFF_ROLES }));
  } catch {
    return;
  }
  // The viewer's own record leaves the team out: the site's staff list has it.
  const { site: staff } = await gql('query Team($id: ID!) { site(id: $id) { staff(role: TECHNICIAN) { id team teamLead } } }', { id: app.site.id });
  const me = staff?.staff.find((u) => u.id === app.viewer.id);
  if (me) Object.assign(app.viewer, { team: me.team, teamLead: me.teamLead });
  $('who').textContent = `${app.viewer.name}${app.viewer.team ? ' · ' + app.viewer.team : ''} · ${app.site.name}`;
  if (app.viewer.role !== 'TECHNICIAN') toast(t(TEXT, 'notTech', { r: app.viewer.role }), 'warn');
  tick();
  setInterval(tick, 1000);
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

// ---- the inspection (电子检查单) ---------------------------------------------

const INSP = {
  title: { zh: '检查单', en: 'Inspections' },
  start: { zh: '开始检查：{n}', en: 'Start inspection: {n}' },
  checked: { zh: '已检 {d}/{n}', en: '{d}/{n} checked' },
  unchecked: { zh: '未检', en: 'Not checked' },
  status: { GREEN: { zh: '良好', en: 'Good' }, AMBER: { zh: '注意', en: 'Soon' }, RED: { zh: '需处理', en: 'Now' } },
  note: { zh: '发现的问题（注意/需处理时必填）', en: 'What was found (needed for soon / now)' },
  photo: { zh: '拍照', en: 'Photo' },
  uploading: { zh: '上传中…', en: 'Uploading…' },
  propose: { zh: '转为增项', en: 'Propose as work' },
  aw: { REQUESTED: { zh: '增项待客户确认', en: 'Work proposed: waiting for the customer' },
    APPROVED: { zh: '客户已同意增项', en: 'Customer approved the work' }, DECLINED: { zh: '客户已拒绝增项', en: 'Customer declined the work' } },
  proposed: { zh: '已转为增项，等待客户确认', en: 'Proposed: waiting for the customer' },
  uploadFailed: { zh: '照片上传失败：{m}', en: 'The photo was not uploaded: {m}' },
};
const RECORD = `mutation RecordInspectionItem($input: RecordInspectionItemInput!) {
  recordInspectionItem(input: $input) { item { ${ITEM} } userErrors { code field message } } }`;
const PROPOSE = `mutation ProposeFromInspectionItem($input: ProposeFromInspectionItemInput!) {
  proposeFromInspectionItem(input: $input) { additionalWork { id state } userErrors { code field message } } }`;
const START = `mutation StartInspection($input: StartInspectionInput!) {
  startInspection(input: $input) { inspection { id name items { ${ITEM} } } userErrors { code field message } } }`;

// inspectionOrders are the cars I work on (one of my jobs is on them).
function inspectionOrders() {
  const seen = new Map();
  for (const r of mine()) if (!seen.has(r.order.id)) seen.set(r.order.id, r.order);
  return [...seen.values()];
}

function putItem(item) {
  for (const o of app.orders) {
    for (const ins of o.inspections || []) {
      const i = ins.items.findIndex((x) => x.id === item.id);
      if (i >= 0) ins.items[i] = item;
    }
  }
}

// renderInspections draws a panel per car I work on: its inspections, and
// the site's checklists for its kind of visit not yet started. Item rows are
// reused while unchanged, so a note being typed survives a live reload.
function renderInspections(main) {
  let s = $('inspections');
  if (!s) {
    s = el('section', { id: 'inspections', class: 'list' }, el('h2', {}, el('span', { class: 't' }), el('span', { class: 'n' })), el('div', { class: 'insps' }));
    $('mine') ? $('mine').after(s) : main.append(s);
  }
  // Panels are redrawn: a note being typed gets its focus and caret back.
  const a = document.activeElement;
  const typing = a?.matches?.('.insp-item input[name="note"]') ? { id: a.closest('.insp-item').dataset.item, from: a.selectionStart, to: a.selectionEnd } : null;
  const panels = [];
  for (const o of inspectionOrders()) {
    const started = new Set((o.inspections || []).map((i) => i.name));
    const lists = app.checklists.filter((c) => c.workType === o.workType && !started.has(c.name));
    if (!(o.inspections || []).length && !lists.length) continue;
    const v = o.visit.vehicle;
    const panel = el('article', { class: 'insp', dataset: { order: o.id } },
      el('div', { class: 'head' }, plateEl(v.plate), el('span', { class: 'model' }, [v.make, v.model, v.colour].filter(Boolean).join(' ')),
        el('span', { class: 'muted' }, o.number)));
    for (const c of lists) {
      panel.append(el('div', { class: 'actions' }, el('button', { type: 'button', class: 'primary', dataset: { action: 'startInspection', checklist: c.id },
        onclick: async (e) => {
          const p = await act({ document: START, field: 'startInspection', control: e.currentTarget, scope: panel,
            variables: { input: { orderId: o.id, checklistId: c.id } } });
          if (!p) return;
          o.inspections = [...(o.inspections || []), p.inspection];
          render();
          reloadSoon();
        } }, t(INSP, 'start', { n: c.name }))));
    }
    for (const ins of o.inspections || []) {
      const done = ins.items.filter((i) => i.status).length;
      panel.append(el('div', { class: 'insp-title', dataset: { inspection: ins.id } }, el('span', { class: 'name' }, ins.name),
        el('span', { class: 'chip' + (done === ins.items.length ? ' ok' : '') }, t(INSP, 'checked', { d: done, n: ins.items.length }))));
      panel.append(el('div', { class: 'insp-items' }, ins.items.map((item) => itemRow(o, item))));
    }
    panels.push(panel);
  }
  s.hidden = panels.length === 0;
  s.querySelector('.t').textContent = t(INSP, 'title');
  s.querySelector('.n').textContent = panels.length;
  s.querySelector('.insps').replaceChildren(...panels);
  const note = typing && s.querySelector(`.insp-item[data-item="${typing.id}"] input[name="note"]`);
  if (note && document.activeElement !== note) {
    note.focus({ preventScroll: true });
    note.setSelectionRange(typing.from, typing.to);
  }
}

// itemRow is one checked line: the three lights, the note, photos from the
// camera with their thumbnails, and for an amber or red finding the tap that
// proposes it as additional work, then the customer's answer.
function itemRow(order, item) {
  const typing = document.activeElement?.matches?.('input[name="note"]') && document.activeElement.closest(`[data-item="${item.id}"]`);
  // Signed photo URLs last 10 minutes: a row is redrawn every 5 unless its note is being typed.
  const key = JSON.stringify([item.id, item.status, item.note, item.version, item.additionalWork,
    item.attachments.map((a) => a.id), app.uploading.has(item.id), settings.lang, typing ? 0 : Math.floor(Date.now() / 300000)]);
  const old = app.items.get(item.id);
  if (old && old.key === key) return old.row;
  const row = el('div', { class: 'insp-item', dataset: { item: item.id, status: item.status || '' } });
  const note = el('input', { name: 'note', type: 'text', maxlength: 500, value: app.notes.get(item.id) ?? item.note, placeholder: t(INSP, 'note'),
    'aria-label': t(INSP, 'note'), oninput: (e) => app.notes.set(item.id, e.target.value) });
  const light = (st) => el('button', { type: 'button', class: 'light l-' + st.toLowerCase(), 'aria-pressed': String(item.status === st),
    dataset: { action: 'recordInspectionItem', status: st }, onclick: (e) => recordItem(row, e.currentTarget, item, st, note.value) }, t(INSP.status, st));
  const file = el('input', { type: 'file', name: 'file', accept: 'image/*,video/*', capture: 'environment', hidden: true,
    onchange: (e) => uploadPhoto(row, item, e.currentTarget) });
  const busy = app.uploading.has(item.id);
  const photos = el('div', { class: 'photos' }, item.attachments.map((a) => el('a', { href: a.url, target: '_blank', rel: 'noopener' },
    // A video has no thumbnail (the server keeps it as recorded): a ▶ tile opens it.
    a.contentType?.startsWith('video/') ? el('span', { class: 'video-tile', 'aria-label': item.name }, '▶')
      : el('img', { src: a.thumbnailUrl, alt: item.name, loading: 'lazy' }))),
  el('label', { class: 'btn photo' + (busy ? ' busy' : ''), dataset: { action: 'uploadPhoto' } }, busy ? t(INSP, 'uploading') : '+ ' + t(INSP, 'photo'), file));
  const aw = item.additionalWork;
  let after = null;
  if (aw) {
    after = el('span', { class: 'chip aw aw-' + aw.state.toLowerCase(), dataset: { awState: aw.state } }, t(INSP.aw, aw.state));
  } else if (item.status === 'AMBER' || item.status === 'RED') {
    after = el('button', { type: 'button', class: 'propose', dataset: { action: 'proposeFromInspectionItem' }, onclick: async (e) => {
      const p = await act({ document: PROPOSE, field: 'proposeFromInspectionItem', control: e.currentTarget, scope: row,
        variables: { input: { itemId: item.id } }, onConflict: () => reloadSoon() });
      if (!p) return;
      putItem({ ...item, additionalWork: p.additionalWork });
      toast(t(INSP, 'proposed'));
      render();
      reloadSoon();
    } }, t(INSP, 'propose'));
  }
  row.append(
    el('div', { class: 'name' }, el('span', { class: 'seq' }, item.seq + '.'), ' ', item.name,
      item.status ? null : el('span', { class: 'muted' }, ' · ' + t(INSP, 'unchecked'))),
    el('div', { class: 'lights', dataset: { field: 'status' } }, ['GREEN', 'AMBER', 'RED'].map(light)),
    note,
    el('div', { class: 'extra' }, photos, after));
  app.items.set(item.id, { key, row });
  return row;
}

async function recordItem(row, control, item, status, note) {
  const p = await act({ document: RECORD, field: 'recordInspectionItem', control, scope: row,
    variables: { input: { itemId: item.id, status, note: note.trim() || null, expectedVersion: item.version } },
    onConflict: () => reloadSoon() });
  if (!p) return;
  app.notes.delete(item.id);
  putItem(p.item);
  app.items.delete(item.id);
  render();
  reloadSoon();
}

// uploadPhoto sends the camera's photo to POST /attachments (multipart,
// with the bearer token; the server checks and re-encodes it) and shows its
// thumbnail.
async function uploadPhoto(row, item, input) {
  const f = input.files?.[0];
  if (!f) return;
  const form = new FormData();
  form.append('ownerType', 'INSPECTION_ITEM');
  form.append('ownerId', item.id);
  form.append('file', f, f.name || 'photo.jpg');
  app.uploading.add(item.id);
  render();
  try {
    const r = await fetch('/attachments', { method: 'POST', headers: { Authorization: 'Bearer ' + settings.token }, body: form });
    const body = await r.json().catch(() => ({}));
    app.uploading.delete(item.id);
    if (r.status !== 201) {
      const e = body.errors?.[0] || {};
      render();
      showUserErrors(app.items.get(item.id)?.row || row, [{ code: e.extensions?.code || 'INTERNAL', field: [],
        message: t(INSP, 'uploadFailed', { m: e.message || r.status }) }]);
      return;
    }
    putItem({ ...item, attachments: [...item.attachments, { id: body.id, contentType: body.contentType, url: body.url, thumbnailUrl: body.thumbnailUrl }] });
    render();
    reloadSoon();
  } catch (e) {
    app.uploading.delete(item.id);
    render();
    showUserErrors(app.items.get(item.id)?.row || row, [{ code: 'NETWORK', field: [], message: t(INSP, 'uploadFailed', { m: e.message }) }]);
  }
}

start().catch((e) => {
  if (e?.code === 'UNAUTHENTICATED' || e?.code === 'FORBIDDEN') fatal('token');
  else setPill('error', e?.message);
});
