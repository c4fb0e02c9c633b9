// The foreman's screen (车间调度): jobs waiting for dispatch (with the skill
// each needs), technicians with today's shift, skills and load, bays and who
// is in them, capacity by skill, the wash queue and the latest events.
// Dispatch by tap (a job, a technician, a bay, then 派工) or by dragging a job
// onto a technician or a bay. A technician on leave, off shift, without the
// skill, already working or overbooked, or a bay holding another car, asks
// for a confirming tap first: the foreman decides, the screen says why.
import {
  t, fatal, act, idem, toast, el, plateEl, duration, STR, PRIORITY_RANK, gql, loadOrders, followBoard, debounce, eventText, startScreen, setConnPill,
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
  shift: { zh: '班次 {a}–{b}', en: 'shift {a}–{b}' },
  leave: { zh: '请假', en: 'on leave' },
  rest: { zh: '休息', en: 'day off' },
  notYet: { zh: '{a} 上班', en: 'starts {a}' },
  over: { zh: '已下班（{b}）', en: 'off since {b}' },
  noRota: { zh: '未排班', en: 'no rota' },
  load: { zh: '已排 {b} / 班次剩 {l}', en: '{b} booked / {l} of shift left' },
  inBay: { zh: '工位 {b}', en: 'bay {b}' },
  needs: { zh: '需 {s}', en: 'needs {s}' },
  capFree: { zh: '可用工时 {d}', en: 'free labour {d}' },
  onShiftN: { zh: '在班 {n}/{m}', en: '{n}/{m} on shift' },
  capOn: { zh: '在班 {n} 人', en: '{n} on shift' },
  capAssumed: { zh: '今日未排班，按全员估算', en: 'no rota today: everyone assumed' },
  capSkill: { zh: '{s} {d}', en: '{s} {d}' },
  capSkillTitle: { zh: '{s}：{n} 人在班，班次剩 {h}，已排 {b}，可用 {f}', en: '{s}: {n} on shift, {h} of shift left, {b} booked, {f} free' },
  onLeave: { zh: '{t} 今天请假{n}。', en: '{t} is on leave today{n}.' },
  dayOff: { zh: '{t} 今天没有排班（休息）。', en: '{t} has no shift today (day off).' },
  beforeShift: { zh: '{t} 的班次 {a} 才开始。', en: '{t}’s shift starts only at {a}.' },
  afterShift: { zh: '{t} 已下班（班次到 {b}）。', en: '{t} is off shift (the shift ended at {b}).' },
  noSkill: { zh: '此作业需要「{s}」技能，{t} 没有（{h}）。', en: 'This job needs {s}; {t} does not have it ({h}).' },
  noSkills: { zh: '无登记技能', en: 'no skills recorded' },
  whoHas: { zh: '在班有此技能：{w}。', en: 'On shift with it: {w}.' },
  nobodyHas: { zh: '今天在班的人都没有此技能。', en: 'Nobody on shift today has it.' },
  overbooked: { zh: '{t} 班次只剩 {l}，已排 {b}，加上此作业 {j} 做不完。', en: '{t} has {l} of shift left and {b} booked: this job’s {j} does not fit.' },
  confirmQ: { zh: '请确认：仍要派工吗？', en: 'Please confirm: dispatch all the same?' },
  confirmGo: { zh: '仍然派工', en: 'Dispatch anyway' },
  confirmBack: { zh: '返回修改', en: 'Back' },
  dispatchAsk: { zh: '派工…', en: 'Dispatch…' },
  reassignAsk: { zh: '改派…', en: 'Reassign…' },
  drag: { zh: '也可把作业拖到技师或工位上', en: 'or drag a job onto a technician or a bay' },
};

// SKILL names the skill codes the rota uses; an unknown code shows as it is.
const SKILL = {
  ENGINE: { zh: '发动机', en: 'engine' },
  ELECTRICAL: { zh: '电器', en: 'electrical' },
  AC: { zh: '空调', en: 'A/C' },
  ALIGNMENT: { zh: '四轮定位', en: 'alignment' },
  TRANSMISSION: { zh: '变速箱', en: 'transmission' },
  BODY: { zh: '钣金', en: 'body' },
  PAINT: { zh: '喷漆', en: 'paint' },
  EV: { zh: '新能源高压', en: 'EV high voltage' },
  TYRES: { zh: '轮胎', en: 'tyres' },
  DIAGNOSIS: { zh: '诊断', en: 'diagnosis' },
};
const skillName = (code) => (SKILL[code] ? t(SKILL, code) : code);

// hours writes labour minutes as hours and minutes however many there are
// (a workshop's day of labour is "25时10分", not "1天1时").
function hours(min) {
  min = Math.max(0, Math.round(min));
  if (min < 60) return duration(min);
  const h = Math.floor(min / 60);
  const m = String(min % 60).padStart(2, '0');
  return t({ zh: `${h}时${m}分`, en: `${h} h ${m}` });
}

const JOB = `id description state labourMinutes workedMinutes safety additional progress version requiredSkill
  technician { id shortName } bay { id code }`;
const ORDER = `id number state priority promisedAt readyAt stage blockers version washRequested
  visit { vehicle { plate make model colour } } jobs { ${JOB} }`;
const STATES = ['IN_WORK', 'QC', 'WASH'];
const DISPATCH = `mutation DispatchJob($input: DispatchJobInput!) {
  dispatchJob(input: $input) { job { ${JOB} } userErrors { code field message } } }`;
const WASH = `mutation FinishWash($input: OrderActionInput!) {
  finishWash(input: $input) { repairOrder { id state version } userErrors { code field message } } }`;
const SITE = `query DispatchSite($id: ID!, $day: Date!) {
  site(id: $id) { bays { id code name kind active } staff(role: TECHNICIAN) { id name shortName team teamLead }
    capacity { rotaKnown technicians shiftMinutes backlogMinutes freeLabourMinutes appointmentMinutes
      bySkill { skill technicians shiftMinutes bookedMinutes freeMinutes } } }
  rota(siteId: $id, from: $day, to: $day) { userId kind startsAt endsAt note }
  technicianSkills(siteId: $id) { userId skills } }`;

// A technician or bay counts as taken while one of these jobs sits there.
const HOLDING = new Set(['DISPATCHED', 'IN_PROGRESS', 'PAUSED', 'REWORK']);
const REASSIGNABLE = new Set(['DISPATCHED', 'PAUSED', 'REWORK']);

const $ = (id) => document.getElementById(id);
const app = { viewer: null, site: null, clock: null, orders: [], techs: [], bays: [], feed: [], rota: new Map(), skills: new Map(),
  capacity: null, sel: { job: null, tech: null, bay: null }, confirm: false, loads: 0 };
window.bayboard = app;

const setPill = setConnPill;

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

// nowMinutes is the site's clock as minutes after local midnight.
function nowMinutes() {
  const [h, m] = app.clock.hm.format(app.clock.now()).split(':').map(Number);
  return h * 60 + m;
}
const hhmm = (m) => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;

// duty says where a technician stands today by the rota: 'on' (on shift),
// 'before' or 'after' the shift, 'leave', 'rest' (the site has a rota today
// and they are not on it) or 'unknown' (no rota today: everyone counts as
// working the opening hours, as the server's capacity assumes). left is the
// minutes of shift left from now.
function duty(id) {
  const s = app.rota.get(id);
  if (!s) return { state: app.rota.size ? 'rest' : 'unknown', left: 0 };
  if (s.kind === 'LEAVE') return { state: 'leave', left: 0, shift: s };
  const now = nowMinutes();
  const state = now < s.startsAt ? 'before' : now >= s.endsAt ? 'after' : 'on';
  return { state, left: Math.max(0, s.endsAt - Math.max(now, s.startsAt)), shift: s };
}
const DUTY_RANK = { on: 0, unknown: 0, before: 1, after: 2, rest: 3, leave: 4 };

function bayHolders(bayId) {
  return rows().filter((r) => r.job.bay?.id === bayId && HOLDING.has(r.job.state));
}

// withPlate puts the order's plate, drawn by plateEl, where text holds NUL.
const withPlate = (text, o) => text.split('\u0000').flatMap((x, i) => (i ? [plateEl(o.visit.vehicle.plate), x] : [x]));

// warnings says why the chosen technician or bay may be a poor choice: on
// leave or off shift, without the skill the job needs, already working on
// another car or booked past the shift's end, a bay holding another car.
// Each asks for a confirming tap; the server decides what it refuses.
function warnings() {
  const { job, tech, bay } = app.sel;
  const out = [];
  const r = job && find(job);
  if (!r) return out;
  if (tech) {
    const name = app.techs.find((x) => x.id === tech)?.shortName;
    const d = duty(tech);
    if (d.state === 'leave') out.push(['leave', t(TEXT, 'onLeave', { t: name, n: d.shift.note ? t({ zh: `（${d.shift.note}）`, en: ` (${d.shift.note})` }) : '' })]);
    if (d.state === 'rest') out.push(['rest', t(TEXT, 'dayOff', { t: name })]);
    if (d.state === 'before') out.push(['shift', t(TEXT, 'beforeShift', { t: name, a: hhmm(d.shift.startsAt) })]);
    if (d.state === 'after') out.push(['shift', t(TEXT, 'afterShift', { t: name, b: hhmm(d.shift.endsAt) })]);
    const need = r.job.requiredSkill;
    const has = app.skills.get(tech) || [];
    if (need && !has.includes(need)) {
      // Name who could do it instead: on shift (or no rota today) with the skill.
      const who = app.techs.filter((u) => (app.skills.get(u.id) || []).includes(need) && ['on', 'unknown', 'before'].includes(duty(u.id).state))
        .map((u) => u.shortName);
      out.push(['skill', t(TEXT, 'noSkill', { s: skillName(need), t: name, h: has.length ? has.map(skillName).join('、') : t(TEXT, 'noSkills') })
        + ' ' + (who.length ? t(TEXT, 'whoHas', { w: who.join('、') }) : t(TEXT, 'nobodyHas'))]);
    }
    const l = techLoad(tech);
    const job = Math.max(0, r.job.labourMinutes - r.job.workedMinutes);
    const mine = l.jobs.some((x) => x.job.id === r.job.id);
    if (d.state === 'on' && !mine && l.left + job > d.left) {
      out.push(['load', t(TEXT, 'overbooked', { t: name, l: hours(d.left), b: hours(l.left), j: hours(job) })]);
    }
    const w = l.working;
    if (w && w.order.id !== r.order.id) {
      out.push(['busy-tech', withPlate(t(TEXT, 'busyTech', { t: name, p: '\u0000', j: w.job.description }), w.order)]);
    }
  }
  if (bay) {
    const other = bayHolders(bay).find((h) => h.order.id !== r.order.id);
    if (other) out.push(['busy-bay', withPlate(t(TEXT, 'busyBay', { b: app.bays.find((b) => b.id === bay)?.code, p: '\u0000', t: other.job.technician?.shortName || '' }), other.order)]);
  }
  return out;
}

function select(kind, id, on) {
  app.sel[kind] = on || app.sel[kind] !== id ? id : null;
  app.confirm = false;
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
  return el('li', { class: 'job-item' + (sel ? ' sel' : ''), dataset: { job: job.id, order: order.id }, draggable: 'true',
    ondragstart: (e) => {
      e.dataTransfer.setData('text/plain', job.id);
      e.dataTransfer.effectAllowed = 'move';
      document.body.classList.add('dragging');
    },
    ondragend: () => document.body.classList.remove('dragging') },
    el('button', { type: 'button', class: 'pick' + (sel ? ' sel' : ''), 'aria-pressed': String(sel), dataset: { pick: 'job' }, onclick: () => select('job', job.id) },
      el('span', { class: 'l1' }, plateEl(v.plate), el('span', { class: 'model' }, v.model),
        order.priority !== 'NORMAL' ? el('span', { class: 'chip prio-' + order.priority.toLowerCase() }, t(STR.priority, order.priority)) : null,
        reassign ? el('span', { class: 'chip' }, t(STR.jobState, job.state)) : dueChip(order)),
      el('span', { class: 'l2' }, job.description, job.safety ? ' ⚠' : '', job.additional ? ' (+)' : '',
        job.requiredSkill ? el('span', { class: 'chip skill need', dataset: { skill: job.requiredSkill } }, t(TEXT, 'needs', { s: skillName(job.requiredSkill) })) : null),
      el('span', { class: 'l3 muted' }, t(TEXT, 'labour', { d: duration(job.labourMinutes) }), ' · ', order.number)));
}

// dropOn makes an item a place to drop a dragged job: the job is selected
// with it (and the rest guessed as a tap would), then the bar asks for 派工.
function dropOn(kind, id) {
  return {
    ondragover: (e) => { e.preventDefault(); e.currentTarget.classList.add('drop'); },
    ondragleave: (e) => e.currentTarget.classList.remove('drop'),
    ondrop: (e) => {
      e.preventDefault();
      e.currentTarget.classList.remove('drop');
      document.body.classList.remove('dragging');
      const jobId = e.dataTransfer.getData('text/plain');
      if (!find(jobId)) return;
      if (app.sel.job !== jobId) select('job', jobId, true);
      if (kind === 'tech' && !find(jobId).order.jobs.some((j) => j.bay && HOLDING.has(j.state))) {
        // Dropped on a technician: his bay, when he is in one, is the likely bay.
        const h = techLoad(id).jobs.find((r) => r.job.bay);
        if (h) app.sel.bay = h.job.bay.id;
      }
      select(kind, id, true);
    },
  };
}

function renderWaiting() {
  const list = rows().filter((r) => r.job.state === 'WAITING_DISPATCH')
    .sort((a, b) => (PRIORITY_RANK[a.order.priority] ?? 2) - (PRIORITY_RANK[b.order.priority] ?? 2)
      || Date.parse(a.order.promisedAt || 0) - Date.parse(b.order.promisedAt || 0));
  $('waiting-n').textContent = list.length;
  $('waiting').replaceChildren(...(list.length ? list.map((r) => jobItem(r)) : [el('li', { class: 'empty' }, t(TEXT, 'noWaiting'))]));
}

function renderTechs() {
  const order = app.techs.map((u, i) => ({ u, i, d: duty(u.id) }))
    .sort((a, b) => DUTY_RANK[a.d.state] - DUTY_RANK[b.d.state] || a.i - b.i);
  $('techs-n').textContent = t(TEXT, 'onShiftN', { n: order.filter((x) => x.d.state === 'on' || x.d.state === 'unknown').length, m: order.length });
  $('techs').replaceChildren(...order.map(({ u, d }) => {
    const l = techLoad(u.id);
    const sel = app.sel.tech === u.id;
    const away = d.state === 'leave' || d.state === 'rest';
    const left = d.state === 'unknown' ? null : d.left;
    const pct = left ? Math.min(100, Math.round(l.left / left * 100)) : l.left ? 100 : 0;
    const over = left !== null && l.left > left;
    const bays = [...new Set(l.jobs.filter((r) => r.job.bay).map((r) => r.job.bay.code))];
    const skills = app.skills.get(u.id) || [];
    const shiftText = d.state === 'leave' ? t(TEXT, 'leave') + (d.shift.note ? ' · ' + d.shift.note : '')
      : d.state === 'rest' ? t(TEXT, 'rest')
        : d.state === 'unknown' ? t(TEXT, 'noRota')
          : t(TEXT, 'shift', { a: hhmm(d.shift.startsAt), b: hhmm(d.shift.endsAt) })
            + (d.state === 'before' ? ' · ' + t(TEXT, 'notYet', { a: hhmm(d.shift.startsAt) }) : d.state === 'after' ? ' · ' + t(TEXT, 'over', { b: hhmm(d.shift.endsAt) }) : '')
            + (d.shift.note ? ' · ' + d.shift.note : '');
    return el('li', { class: 'tech' + (l.working ? ' busy' : l.jobs.length ? ' queued' : ' idle') + (away ? ' away' : '') + (d.state === 'before' || d.state === 'after' ? ' off' : ''),
      dataset: { tech: u.id, duty: d.state }, ...dropOn('tech', u.id) },
      el('button', { type: 'button', class: 'pick' + (sel ? ' sel' : ''), 'aria-pressed': String(sel), dataset: { pick: 'tech' }, onclick: () => select('tech', u.id) },
        el('span', { class: 'l1' }, el('strong', {}, u.shortName), el('span', { class: 'muted' }, u.name), u.teamLead ? el('span', { class: 'chip' }, t(TEXT, 'lead')) : null,
          el('span', { class: 'duty duty-' + d.state, dataset: { shift: '' } }, shiftText),
          bays.length ? el('span', { class: 'chip bay-chip' }, t(TEXT, 'inBay', { b: bays.join('·') })) : null),
        skills.length ? el('span', { class: 'skills' }, skills.map((k) => el('span', { class: 'chip skill', dataset: { skill: k } }, skillName(k)))) : null,
        el('span', { class: 'l2' }, l.working ? [t(TEXT, 'working') + ' ', plateEl(l.working.order.visit.vehicle.plate), ' ' + l.working.job.description]
          : l.jobs.length || away ? '' : t(TEXT, 'idle')),
        away ? null : el('span', { class: 'l3' }, el('span', { class: 'bar' + (over ? ' over' : '') }, el('span', { class: 'fill', style: `width:${pct}%` })),
          el('span', { class: over ? 'load over' : 'muted load' }, left === null
            ? (l.jobs.length ? t(TEXT, l.jobs.length === 1 ? 'queued1' : 'queued', { n: l.jobs.length, d: duration(l.left) }) : '')
            : t(TEXT, 'load', { b: hours(l.left), l: hours(left) })))),
      l.jobs.filter((r) => REASSIGNABLE.has(r.job.state)).length
        ? el('ul', { class: 'held' }, l.jobs.filter((r) => REASSIGNABLE.has(r.job.state)).map((r) => jobItem(r, true))) : null);
  }));
}

// renderCapacity puts today's capacity in the header: free minutes, who is
// on shift, and per skill the free minutes (short where booked work needing
// it exceeds the shift minutes of those who have it).
function renderCapacity() {
  const c = app.capacity;
  if (!c) return;
  $('cap').replaceChildren(
    el('span', { class: 'cap-total' + (c.freeLabourMinutes ? '' : ' short') }, t(TEXT, 'capFree', { d: hours(c.freeLabourMinutes) })),
    el('span', { class: 'muted' }, c.rotaKnown ? t(TEXT, 'capOn', { n: c.technicians }) : t(TEXT, 'capAssumed')),
    ...c.bySkill.map((k) => el('span', { class: 'chip cap-skill' + (k.bookedMinutes > k.shiftMinutes ? ' short' : ''), dataset: { skill: k.skill },
      title: t(TEXT, 'capSkillTitle', { s: skillName(k.skill), n: k.technicians, h: hours(k.shiftMinutes), b: hours(k.bookedMinutes), f: hours(k.freeMinutes) }) },
    t(TEXT, 'capSkill', { s: skillName(k.skill), d: hours(k.freeMinutes) }))));
}

function renderBays() {
  $('bays').replaceChildren(...app.bays.filter((b) => b.kind !== 'WASH').map((b) => {
    const hs = bayHolders(b.id);
    const cars = [...new Map(hs.map((h) => [h.order.id, h])).values()];
    const sel = app.sel.bay === b.id;
    return el('li', { class: 'bay' + (cars.length ? ' taken' : ' open'), dataset: { bay: b.id }, ...dropOn('bay', b.id) },
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
    bar.removeAttribute('data-confirm');
    bar.replaceChildren(el('span', { class: 'hint' }, t(TEXT, 'pick'), el('span', { class: 'hint2' }, ' · ' + t(TEXT, 'drag'))));
    return;
  }
  bar.dataset.job = r.job.id;
  const techName = app.techs.find((x) => x.id === tech)?.shortName;
  const bayCode = app.bays.find((x) => x.id === bay)?.code;
  const warns = warnings();
  const confirming = app.confirm && warns.length > 0;
  if (confirming) bar.dataset.confirm = 'yes';
  else bar.removeAttribute('data-confirm');
  const scope = el('div', { class: 'bar-main' },
    el('span', { class: 'what' }, plateEl(r.order.visit.vehicle.plate), ' ', r.job.description,
      r.job.requiredSkill ? el('span', { class: 'chip skill need' }, t(TEXT, 'needs', { s: skillName(r.job.requiredSkill) })) : null, ' → ',
      el('strong', {}, techName || t(TEXT, 'pickTech')), ' · ', el('strong', {}, bayCode || t(TEXT, 'pickBay'))),
    confirming ? el('div', { class: 'confirm-q' }, t(TEXT, 'confirmQ')) : null,
    ...warns.map(([kind, w]) => el('div', { class: 'warning', role: 'alert', dataset: { warn: kind } }, '⚠ ', w)));
  const reassign = REASSIGNABLE.has(r.job.state);
  const send = async (e) => {
    const p = await act({ document: DISPATCH, field: 'dispatchJob', control: e.currentTarget, scope,
      variables: { input: { jobId: r.job.id, expectedVersion: r.job.version, technicianId: tech, bayId: bay, idempotencyKey: idem() } },
      onConflict: (pl) => pl.job && Object.assign(r.job, pl.job) });
    if (!p) return;
    Object.assign(r.job, p.job);
    toast(t(TEXT, 'dispatched', { j: r.job.description, t: techName, b: bayCode }));
    app.sel = { job: null, tech: null, bay: null };
    app.confirm = false;
    render();
    reloadSoon();
  };
  const clear = () => { app.sel = { job: null, tech: null, bay: null }; app.confirm = false; render(); };
  bar.replaceChildren(scope, el('div', { class: 'bar-actions' }, confirming
    ? [el('button', { type: 'button', class: 'warn big', dataset: { action: 'dispatchJob', confirm: 'yes' }, onclick: send }, t(TEXT, 'confirmGo')),
      el('button', { type: 'button', onclick: () => { app.confirm = false; render(); } }, t(TEXT, 'confirmBack'))]
    : [warns.length
      // A first tap with warnings only asks: the second sends.
      ? el('button', { type: 'button', class: 'primary big', dataset: { action: 'dispatchJob', confirm: 'ask' }, disabled: !(tech && bay),
        onclick: () => { app.confirm = true; render(); } }, t(TEXT, reassign ? 'reassignAsk' : 'dispatchAsk'))
      : el('button', { type: 'button', class: 'primary big', dataset: { action: 'dispatchJob' }, disabled: !(tech && bay), onclick: send },
        t(TEXT, reassign ? 'reassign' : 'dispatch')),
    el('button', { type: 'button', onclick: clear }, t(TEXT, 'clear'))]));
}

function render() {
  if (app.sel.job && !find(app.sel.job)) app.sel.job = null;
  renderCapacity();
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
  const day = app.clock.ymd.format(app.clock.now());
  const [orders, { site, rota, technicianSkills }] = await Promise.all([loadOrders(app.site.id, STATES, ORDER), gql(SITE, { id: app.site.id, day })]);
  app.orders = orders;
  app.rota = new Map(rota.map((s) => [s.userId, s]));
  app.skills = new Map(technicianSkills.map((s) => [s.userId, s.skills]));
  app.capacity = site.capacity;
  app.techs = site.staff.slice().sort((a, b) => a.team.localeCompare(b.team) || a.shortName.localeCompare(b.shortName));
  app.bays = site.bays.filter((b) => b.active); // a retired bay takes no work
  app.loads++;
  render();
}
const reloadSoon = debounce(() => load().catch(() => reloadSoon()), 120);

async function start() {
  const started = await startScreen(TEXT, ['FOREMAN', 'SERVICE_MANAGER', 'ADMIN']);
  if (!started) return;
  Object.assign(app, started);
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
