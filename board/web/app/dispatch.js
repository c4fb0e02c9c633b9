// The foreman's screen (车间调度): jobs waiting for dispatch, technicians
// with today's load, bays and who is in them, the wash queue and the latest
// events. Dispatch by tap: a job, a technician, a bay, then 派工; a bay or a
// technician already busy is warned about before the tap that sends it.
import {
  t, boot, fatal, act, idem, toast, el, plateEl, duration, STR, PRIORITY_RANK, gql,
  loadOrders, followBoard, debounce, connText, eventText,
  STAFF_ROLES,
} from './common.js';

const TEXT = {
  title: { zh: '车间调度', en: 'Dispatch' },
  waiting: { zh: '待派工', en: 'Waiting for dispatch' },
  noWaiting: { zh: '没有待派工的作业。', en: 'Nothing waits for dispatch.' },
  techs: { zh: '技师 · 今日负荷', en: 'Technicians · load today' },
  bays: { zh: '工位', en: 'Bays' },
  wash: { zh: '洗车队列', en: 'Wash queue' },
  noWash: { zh: '没有等待洗车的车辆。', en: 'No car waits for the wash.' },
  washed: { zh: '洗车完成', en: 'Washed' },
  feed: { zh: '最新动态', en: 'Latest' },
  noFeed: { zh: '打开本页后的变动会显示在这里。', en: 'Changes since this page opened show here.' },
  free: { zh: '空闲', en: 'free' },
  working: { zh: '施工中：', en: 'working:' },
  queued: { zh: '{n} 项 · 剩 {d}', en: '{n} jobs · {d} to do' },
  queued1: { zh: '1 项 · 剩 {d}', en: '1 job · {d} to do' },
  idle: { zh: '无作业', en: 'no jobs' },
  lead: { zh: '组长', en: 'lead' },
  pick: { zh: '点选一项待派工作业，再点技师和工位', en: 'Tap a waiting job, then a technician and a bay' },
  pickTech: { zh: '再点选技师', en: 'now tap a technician' },
  pickBay: { zh: '再点选工位', en: 'now tap a bay' },
  dispatch: { zh: '派工', en: 'Dispatch' },
  reassign: { zh: '改派', en: 'Reassign' },
  clear: { zh: '取消选择', en: 'Clear' },
  busyTech: { zh: '注意：{t} 正在施工 {p}（{j}），派工后排在其后。', en: 'Note: {t} is working on {p} ({j}); this job queues behind it.' },
  busyBay: { zh: '注意：工位 {b} 已有车辆 {p}（{t}）。', en: 'Note: bay {b} already holds {p} ({t}).' },
  dispatched: { zh: '已派工：{j} → {t} {b}', en: 'Dispatched: {j} → {t} {b}' },
  lateBy: { zh: '超时 {d}', en: '{d} late' },
  due: { zh: '承诺 {t}', en: 'due {t}' },
  labour: { zh: '工时 {d}', en: '{d} labour' },
  readyBy: { zh: '承诺 {t}', en: 'due {t}' },
  wrongRole: { zh: '此令牌（{r}）不是车间主管，派工会被拒绝。', en: 'Not a foreman’s token ({r}): dispatching will be refused.' },
};

const JOB = `id description state labourMinutes workedMinutes safety additional progress version
  technician { id shortName } bay { id code }`;
const ORDER = `id number state priority promisedAt readyAt stage blockers version washRequested
  visit { vehicle { plate make model colour } } jobs { ${JOB} }`;
const STATES = ['IN_WORK', 'QC', 'WASH'];
const DISPATCH = `mutation DispatchJob($input: DispatchJobInput!) {
  dispatchJob(input: $input) { job { ${JOB} } userErrors { code field message } } }`;
const WASH = `mutation FinishWash($input: OrderActionInput!) {
  finishWash(input: $input) { repairOrder { id state version } userErrors { code field message } } }`;
const SITE = `query FloorSite($id: ID!) { site(id: $id) {
  bays { id code name kind } staff(role: TECHNICIAN) { id name shortName team teamLead } } }`;

// A technician or bay counts as taken while one of these jobs sits there.
const HOLDING = new Set(['DISPATCHED', 'IN_PROGRESS', 'PAUSED', 'REWORK']);
const REASSIGNABLE = new Set(['DISPATCHED', 'PAUSED', 'REWORK']);

const $ = (id) => document.getElementById(id);
const app = { viewer: null, site: null, clock: null, orders: [], techs: [], bays: [], feed: [], sel: { job: null, tech: null, bay: null }, loads: 0 };
window.bayboard = app;

function setPill(state, detail) {
  $('conn').dataset.state = state;
  $('conn').textContent = connText(state, detail);
}

const rows = () => app.orders.filter((o) => o.state === 'IN_WORK').flatMap((o) => o.jobs.map((j) => ({ job: j, order: o })));
const find = (jobId) => rows().find((r) => r.job.id === jobId);

function dueChip(o) {
  if (!o.promisedAt) return null;
  const late = Math.floor((app.clock.now() - Date.parse(o.promisedAt)) / 60000);
  if (late > 0 && !o.readyAt) return el('span', { class: 'chip late' }, t(TEXT, 'lateBy', { d: duration(late) }));
  return el('span', { class: 'chip' + (late > -30 ? ' soon' : '') }, t(TEXT, 'due', { t: app.clock.time(o.promisedAt) }));
}

// techLoad is what a technician holds: jobs dispatched, in work, paused or
// sent back, the labour left on them and the job in hand.
function techLoad(id) {
  const js = rows().filter((r) => r.job.technician?.id === id && HOLDING.has(r.job.state));
  const left = js.reduce((m, r) => m + Math.max(0, r.job.labourMinutes - r.job.workedMinutes), 0);
  return { jobs: js, left, working: js.find((r) => r.job.state === 'IN_PROGRESS') };
}

function bayHolders(bayId) {
  return rows().filter((r) => r.job.bay?.id === bayId && HOLDING.has(r.job.state));
}

// withPlate puts the order's plate, drawn by plateEl, where text holds NUL.
const withPlate = (text, o) => text.split('\u0000').flatMap((x, i) => (i ? [plateEl(o.visit.vehicle.plate), x] : [x]));

// warnings says what the chosen technician and bay are already doing.
function warnings() {
  const { job, tech, bay } = app.sel;
  const out = [];
  const r = job && find(job);
  if (!r) return out;
  if (tech) {
    const w = techLoad(tech).working;
    if (w && w.order.id !== r.order.id) {
      out.push(withPlate(t(TEXT, 'busyTech', { t: app.techs.find((x) => x.id === tech)?.shortName, p: '\u0000', j: w.job.description }), w.order));
    }
  }
  if (bay) {
    const other = bayHolders(bay).find((h) => h.order.id !== r.order.id);
    if (other) out.push(withPlate(t(TEXT, 'busyBay', { b: app.bays.find((b) => b.id === bay)?.code, p: '\u0000', t: other.job.technician?.shortName || '' }), other.order));
  }
  return out;
}

function select(kind, id) {
  app.sel[kind] = app.sel[kind] === id ? null : id;
  if (kind === 'job' && app.sel.job) {
    // The car's own bay, when another of its jobs is in one, is the likely bay.
    const r = find(app.sel.job);
    const own = r?.order.jobs.find((j) => j.bay && HOLDING.has(j.state));
    app.sel.bay = r?.job.bay?.id || own?.bay.id || app.sel.bay;
    app.sel.tech = r?.job.technician?.id || app.sel.tech;
  }
  render();
}

function jobItem({ job, order }, reassign = false) {
  const v = order.visit.vehicle;
  const sel = app.sel.job === job.id;
  return el('li', { class: 'job-item' + (sel ? ' sel' : ''), dataset: { job: job.id, order: order.id } },
    el('button', { type: 'button', class: 'pick' + (sel ? ' sel' : ''), 'aria-pressed': String(sel), dataset: { pick: 'job' }, onclick: () => select('job', job.id) },
      el('span', { class: 'l1' }, plateEl(v.plate), el('span', { class: 'model' }, v.model),
        order.priority !== 'NORMAL' ? el('span', { class: 'chip prio-' + order.priority.toLowerCase() }, t(STR.priority, order.priority)) : null,
        reassign ? el('span', { class: 'chip' }, t(STR.jobState, job.state)) : dueChip(order)),
      el('span', { class: 'l2' }, job.description, job.safety ? ' ⚠' : '', job.additional ? ' (+)' : ''),
      el('span', { class: 'l3 muted' }, t(TEXT, 'labour', { d: duration(job.labourMinutes) }), ' · ', order.number)));
}

function renderWaiting() {
  const list = rows().filter((r) => r.job.state === 'WAITING_DISPATCH')
    .sort((a, b) => (PRIORITY_RANK[a.order.priority] ?? 2) - (PRIORITY_RANK[b.order.priority] ?? 2)
      || Date.parse(a.order.promisedAt || 0) - Date.parse(b.order.promisedAt || 0));
  $('waiting-n').textContent = list.length;
  $('waiting').replaceChildren(...(list.length ? list.map((r) => jobItem(r)) : [el('li', { class: 'empty' }, t(TEXT, 'noWaiting'))]));
}

function renderTechs() {
  $('techs').replaceChildren(...app.techs.map((u) => {
    const l = techLoad(u.id);
    const sel = app.sel.tech === u.id;
    const pct = Math.min(100, Math.round(l.left / 480 * 100));
    return el('li', { class: 'tech' + (l.working ? ' busy' : l.jobs.length ? ' queued' : ' idle'), dataset: { tech: u.id } },
      el('button', { type: 'button', class: 'pick' + (sel ? ' sel' : ''), 'aria-pressed': String(sel), dataset: { pick: 'tech' }, onclick: () => select('tech', u.id) },
        el('span', { class: 'l1' }, el('strong', {}, u.shortName), el('span', { class: 'muted' }, u.name), u.teamLead ? el('span', { class: 'chip' }, t(TEXT, 'lead')) : null,
          el('span', { class: 'muted team' }, u.team)),
        el('span', { class: 'l2' }, l.working ? [t(TEXT, 'working') + ' ', plateEl(l.working.order.visit.vehicle.plate), ' ' + l.working.job.description]
          : l.jobs.length ? '' : t(TEXT, 'idle')),
        el('span', { class: 'l3' }, el('span', { class: 'bar' }, el('span', { class: 'fill', style: `width:${pct}%` })),
          el('span', { class: 'muted' }, l.jobs.length ? t(TEXT, l.jobs.length === 1 ? 'queued1' : 'queued', { n: l.jobs.length, d: duration(l.left) }) : ''))),
      l.jobs.filter((r) => REASSIGNABLE.has(r.job.state)).length
        ? el('ul', { class: 'held' }, l.jobs.filter((r) => REASSIGNABLE.has(r.job.state)).map((r) => jobItem(r, true))) : null);
  }));
}

function renderBays() {
  $('bays').replaceChildren(...app.bays.filter((b) => b.kind !== 'WASH').map((b) => {
    const hs = bayHolders(b.id);
    const cars = [...new Map(hs.map((h) => [h.order.id, h])).values()];
    const sel = app.sel.bay === b.id;
    return el('li', { class: 'bay' + (cars.length ? ' taken' : ' open'), dataset: { bay: b.id } },
      el('button', { type: 'button', class: 'pick' + (sel ? ' sel' : ''), 'aria-pressed': String(sel), dataset: { pick: 'bay' }, onclick: () => select('bay', b.id) },
        el('span', { class: 'l1' }, el('strong', {}, b.code), el('span', { class: 'muted' }, b.name)),
        el('span', { class: 'l2' }, cars.length ? cars.map((h) => el('span', { class: 'occ' }, plateEl(h.order.visit.vehicle.plate), ' ',
          [...new Set(hs.filter((x) => x.order.id === h.order.id).map((x) => x.job.technician?.shortName).filter(Boolean))].join('·')))
          : el('span', { class: 'chip ok' }, t(TEXT, 'free')))));
  }));
}

function renderWash() {
  const list = app.orders.filter((o) => o.state === 'WASH');
  $('wash-n').textContent = list.length;
  $('wash').replaceChildren(...(list.length ? list.map((o) => el('li', { class: 'wash-item', dataset: { order: o.id } },
    el('span', { class: 'l1' }, plateEl(o.visit.vehicle.plate), el('span', { class: 'model' }, `${o.visit.vehicle.model} ${o.visit.vehicle.colour}`), dueChip(o)),
    el('button', { type: 'button', class: 'go', dataset: { action: 'finishWash' }, onclick: async (e) => {
      const li = e.currentTarget.closest('li');
      const p = await act({ document: WASH, field: 'finishWash', control: e.currentTarget, scope: li,
        variables: { input: { orderId: o.id, expectedVersion: o.version, idempotencyKey: idem() } }, onConflict: () => reloadSoon() });
      if (p) {
        toast(t(TEXT, 'washed') + ' · ' + o.visit.vehicle.plate);
        reloadSoon();
      }
    } }, t(TEXT, 'washed'))))
    : [el('li', { class: 'empty' }, t(TEXT, 'noWash'))]));
}

function renderFeed() {
  $('feed').replaceChildren(...(app.feed.length ? app.feed.slice(0, 30).map((u) => el('li', { dataset: { kind: u.kind } },
    el('span', { class: 'time' }, app.clock.hm.format(new Date(u.at))),
    el('span', {}, u.card?.plate && u.jobId ? [plateEl(u.card.plate), ' '] : null, eventText(u, app.clock))))
    : [el('li', { class: 'empty' }, t(TEXT, 'noFeed'))]));
}

function renderBar() {
  const { job, tech, bay } = app.sel;
  const r = job && find(job);
  const bar = $('bar');
  if (!r) {
    bar.removeAttribute('data-job');
    bar.replaceChildren(el('span', { class: 'hint' }, t(TEXT, 'pick')));
    return;
  }
  bar.dataset.job = r.job.id;
  const techName = app.techs.find((x) => x.id === tech)?.shortName;
  const bayCode = app.bays.find((x) => x.id === bay)?.code;
  const warns = warnings();
  const scope = el('div', { class: 'bar-main' },
    el('span', { class: 'what' }, plateEl(r.order.visit.vehicle.plate), ' ', r.job.description, ' → ',
      el('strong', {}, techName || t(TEXT, 'pickTech')), ' · ', el('strong', {}, bayCode || t(TEXT, 'pickBay'))),
    ...warns.map((w) => el('div', { class: 'warning', role: 'alert' }, '⚠ ', w)));
  bar.replaceChildren(scope, el('div', { class: 'bar-actions' },
    el('button', { type: 'button', class: 'primary big', dataset: { action: 'dispatchJob' }, disabled: !(tech && bay), onclick: async (e) => {
      const p = await act({ document: DISPATCH, field: 'dispatchJob', control: e.currentTarget, scope,
        variables: { input: { jobId: r.job.id, expectedVersion: r.job.version, technicianId: tech, bayId: bay, idempotencyKey: idem() } },
        onConflict: (pl) => pl.job && Object.assign(r.job, pl.job) });
      if (!p) return;
      Object.assign(r.job, p.job);
      toast(t(TEXT, 'dispatched', { j: r.job.description, t: techName, b: bayCode }));
      app.sel = { job: null, tech: null, bay: null };
      render();
      reloadSoon();
    } }, REASSIGNABLE.has(r.job.state) ? t(TEXT, 'reassign') : t(TEXT, 'dispatch')),
    el('button', { type: 'button', onclick: () => { app.sel = { job: null, tech: null, bay: null }; render(); } }, t(TEXT, 'clear'))));
}

function render() {
  if (app.sel.job && !find(app.sel.job)) app.sel.job = null;
  renderWaiting();
  renderTechs();
  renderBays();
  renderWash();
  renderFeed();
  renderBar();
}

function layout() {
  const col = (id, key, extra = '') => el('section', { class: 'panel col ' + extra },
    el('h2', {}, el('span', {}, t(TEXT, key)), el('span', { class: 'n', id: id + '-n' })), el('ul', { id, class: 'items' }));
  $('main').replaceChildren(
    col('waiting', 'waiting'),
    col('techs', 'techs'),
    col('bays', 'bays'),
    el('div', { class: 'col side' }, col('wash', 'wash'), col('feed', 'feed', 'feed-panel')),
    el('div', { id: 'bar', class: 'dispatch-bar' }));
  $('feed').classList.add('feed');
}

async function load() {
  const [orders, { site }] = await Promise.all([loadOrders(app.site.id, STATES, ORDER), gql(SITE, { id: app.site.id })]);
  app.orders = orders;
  app.techs = site.staff.slice().sort((a, b) => a.team.localeCompare(b.team) || a.shortName.localeCompare(b.shortName));
  app.bays = site.bays;
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
  $('who').textContent = `${app.viewer.name} · ${app.site.name}`;
  if (!['FOREMAN', 'SERVICE_MANAGER', 'ADMIN'].includes(app.viewer.role)) toast(t(TEXT, 'wrongRole', { r: app.viewer.role }), 'warn');
  const tick = () => { $('clock').textContent = app.clock.hm.format(app.clock.now()); };
  tick();
  setInterval(tick, 1000);
  layout();
  await load();
  app.live = await followBoard(app.site, {
    setPill,
    onChange: (u) => {
      if (u?.at) app.clock.sync(u.at);
      if (u?.kind) {
        app.feed.unshift(u);
        app.feed.length = Math.min(app.feed.length, 100);
      }
      reloadSoon();
    },
  });
  setInterval(render, 60000);
}

start().catch((e) => {
  if (e?.code === 'UNAUTHENTICATED') fatal('token');
  else setPill('error', e?.message);
});
