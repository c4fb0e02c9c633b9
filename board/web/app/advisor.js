// The advisor's desk (服务顾问): my open visits, live; what needs me now,
// with its buttons; customer search with the full history; the workshop's
// free hours for promising a completion time; and the desk itself in the
// drawer: reception (接车), the estimate and repair order (委托书) with the
// customer's signature, hand-over, additional work (增项) decided with how the
// customer was reached, "customer told" with a new promised time, delivery
// (交车) with the belongings check, and the print pages.
import { settings, t, gql, pickSite, isAuthError, backoff, Live, Clock, duration, el, GraphQLError, eventText } from './common.js';
import { run, fatal, money, toLocalInput, fromLocalInput, field, select, printURL, formError, clearErrors } from './desk.js';

const TEXT = {
  title: { zh: '服务顾问', en: 'Service advisor' },
  search: { zh: '搜索客户：姓名、电话、车牌或 VIN', en: 'Find a customer: name, phone, plate or VIN' },
  noResults: { zh: '没有找到', en: 'No match' },
  capLabel: { zh: '车间今日可用工时', en: 'Workshop free today' },
  hours: { zh: '{h} 小时', en: '{h} h' },
  capSub: { zh: '技师 {t} 人 · 在修待做 {b} 小时', en: '{t} technicians · {b} h of work queued' },
  estLabel: { zh: '新活工时(分)', en: 'New work (min)' },
  estOut: { zh: '→ 预计 {t} 完工', en: '→ done by {t}' },
  ordersTitle: { zh: '我的在厂车辆', en: 'My open visits' },
  ordersEmpty: { zh: '目前没有在厂车辆。', en: 'No open visits right now.' },
  needsTitle: { zh: '现在需要您处理', en: 'Needs you now' },
  needsNone: { zh: '暂无待办。', en: 'Nothing needs you right now.' },
  activityTitle: { zh: '最新动态', en: 'Latest' },
  activityNone: { zh: '今天还没有动态。', en: 'Nothing yet today.' },
  col: {
    car: { zh: '车辆', en: 'Car' }, customer: { zh: '客户', en: 'Customer' }, stage: { zh: '状态', en: 'Stage' },
    promised: { zh: '承诺时间', en: 'Promised' }, progress: { zh: '进度', en: 'Progress' }, tech: { zh: '技师 / 工位', en: 'Tech / bay' },
  },
  lateBy: { zh: '超时 {d}', en: '{d} late' },
  left: { zh: '剩 {d}', en: '{d} left' },
  readyAt: { zh: '{t} 竣工', en: 'ready {t}' },
  notify: { zh: '请于 {t} 前通知客户取车', en: 'Tell the customer by {t}' },
  notifyOverdue: { zh: '通知时限已过 {d}，请立即通知客户取车', en: 'Notify deadline passed {d} ago: call the customer now' },
  ready: { zh: '竣工：{car}', en: 'Ready: {car}' },
  approvalAsk: { zh: '增项待客户确认：{car}', en: 'Approval needed: {car}' },
  approvalAskSub: { zh: '{desc} · {price} · 延时 {extra}，请致电客户', en: '{desc} · {price} · +{extra}: call the customer' },
  approvalAnswered: { zh: '客户已答复增项：{car}', en: 'Approval answered: {car}' },
  approved: { zh: '同意', en: 'approved' },
  declined: { zh: '拒绝', en: 'declined' },
  late: { zh: '已超时 {d}：{car}', en: '{d} late: {car}' },
  lateSub: { zh: '请尽早告知客户原因和新的完工时间', en: 'Tell the customer why and the new time' },
  qcFailed: { zh: '总检未通过，返工中：{car}', en: 'QC failed, rework: {car}' },
  parts: { zh: '等待配件：{car}', en: 'Waiting for parts: {car}' },
  safety: { zh: '安全相关', en: 'safety' },
  live: { zh: '实时', en: 'Live' },
  connecting: { zh: '正在连接…', en: 'Connecting…' },
  reconnecting: { zh: '正在重新连接…', en: 'Reconnecting…' },
  unauthorized: { zh: '令牌无效', en: 'Token not accepted' },
  error: { zh: '出错：{m}', en: 'Error: {m}' },
  noToken: { zh: '请在地址中加入您的令牌：/advisor?token=…', en: 'Add your token to the address: /advisor?token=…' },
  notAdvisor: { zh: '此令牌不是服务顾问（{r}）：显示的是该用户名下的车辆。', en: 'This token is not an advisor’s ({r}): showing orders under this user.' },
  history: { zh: '客户档案', en: 'Customer record' },
  since: { zh: '建档 {d}', en: 'customer since {d}' },
  vehicles: { zh: '车辆', en: 'Vehicles' },
  visits: { zh: '来店记录（{n} 次）', en: 'Visits ({n})' },
  km: { zh: '{n} 公里', en: '{n} km' },
  inShop: { zh: '在厂', en: 'in workshop' },
  delivered: { zh: '交车 {d}', en: 'delivered {d}' },
  complaint: { zh: '客户描述：', en: 'Complaint: ' },
  more: { zh: '还有 {n} 次更早的来店', en: '{n} earlier visits not shown' },
};

const STATES = {
  DRAFT: { zh: '估价中', en: 'Draft' }, SIGNED: { zh: '已签字待交车间', en: 'Signed' }, IN_WORK: { zh: '维修中', en: 'In work' },
  QC: { zh: '质检', en: 'QC' }, WASH: { zh: '洗车', en: 'Wash' }, READY: { zh: '竣工待取', en: 'Ready' },
  SETTLED: { zh: '已结算待交车', en: 'Settled' }, DELIVERED: { zh: '已交车', en: 'Delivered' }, CANCELLED: { zh: '已取消', en: 'Cancelled' },
};
const STAGES = {
  WAITING_DISPATCH: { zh: '待派工', en: 'Waiting dispatch' }, IN_WORK: { zh: '维修中', en: 'In work' },
  WAITING_PARTS: { zh: '待料', en: 'Waiting parts' }, WAITING_APPROVAL: { zh: '待客户确认', en: 'Awaiting approval' },
  CHECKS: { zh: '检验 / 质检', en: 'Checks / QC' }, WASH: { zh: '洗车', en: 'Wash' }, READY: { zh: '竣工待取', en: 'Ready' },
};
const BLOCKERS = {
  WAITING_PARTS: { zh: '缺件', en: 'Part missing' }, APPROVAL_PENDING: { zh: '增项待确认', en: 'Approval pending' },
  QC_FAILED: { zh: '质检未过', en: 'QC failed' },
};
const WORK = { MAINTENANCE: { zh: '保养', en: 'Maintenance' }, REPAIR: { zh: '维修', en: 'Repair' }, WARRANTY: { zh: '保修', en: 'Warranty' }, ACCIDENT: { zh: '事故', en: 'Accident' } };
const JOBSTATE = {
  PENDING_APPROVAL: { zh: '待确认', en: 'awaiting approval' }, DECLINED: { zh: '客户拒绝', en: 'declined' },
  WAITING_DISPATCH: { zh: '待派工', en: 'waiting dispatch' }, DISPATCHED: { zh: '已派工', en: 'dispatched' },
  IN_PROGRESS: { zh: '施工中', en: 'in progress' }, PAUSED: { zh: '暂停', en: 'paused' }, FINISHED: { zh: '待自检', en: 'finished' },
  SELF_CHECKED: { zh: '待班组长检验', en: 'self-checked' }, DONE: { zh: '完成', en: 'done' }, REWORK: { zh: '返工', en: 'rework' },
  CANCELLED: { zh: '取消', en: 'cancelled' },
};
const KINDS = {
  ADDITIONAL_WORK_REQUESTED: { zh: '发现增项', en: 'Additional work found' },
  ADDITIONAL_WORK_APPROVED: { zh: '客户同意增项', en: 'Customer approved' },
  ADDITIONAL_WORK_DECLINED: { zh: '客户拒绝增项', en: 'Customer declined' },
  QC_FAILED: { zh: '总检未通过', en: 'QC failed' },
  ORDER_READY: { zh: '竣工', en: 'Ready' },
  ORDER_LATE: { zh: '超时', en: 'Late' },
  JOB_PAUSED: { zh: '作业暂停', en: 'Job paused' },
  ORDER_HANDED_OVER: { zh: '已交车间', en: 'Handed over' },
  ORDER_DELIVERED: { zh: '已交车', en: 'Delivered' },
  VEHICLE_RECEIVED: { zh: '接车', en: 'Car received' },
};
const URGENT_KINDS = new Set(['ADDITIONAL_WORK_REQUESTED', 'QC_FAILED', 'ORDER_READY', 'ORDER_LATE']);

const OPEN_STATES = ['DRAFT', 'SIGNED', 'IN_WORK', 'QC', 'WASH', 'READY', 'SETTLED'];
const ORDERS_QUERY = `query MyOrders($siteId: ID!, $advisorId: ID!, $states: [RepairOrderState!]) {
  repairOrders(siteId: $siteId, advisorId: $advisorId, states: $states, first: 100) {
    edges { node {
      id number state workType priority promisedAt estimatedAt readyAt notifyBy late minutesLate
      stage stageSince blockers progress reworkCount
      visit { id keyTag customer { id name phone } vehicle { plate make model colour } }
      jobs { id description state progress technician { shortName } bay { code } }
      additionalWork { id version state description extraMinutes safety requestedAt decidedAt total { amount currency } }
      timeline(first: 200) { edges { cursor node { kind summary at } } }
    } }
  }
}`;
const CAPACITY = 'technicians backlogMinutes freeLabourMinutes at';
const BOARD_QUERY = `query Capacity($siteId: ID!) { board(siteId: $siteId) { cursor at capacity { ${CAPACITY} } } }`;
const BOARD_FEED = `subscription BoardFeed($siteId: ID!, $after: String) {
  boardFeed(siteId: $siteId, after: $after) { cursor reset kind orderId capacity { ${CAPACITY} } }
}`;
const ADVISOR_FEED = `subscription AdvisorFeed($siteId: ID!, $after: String) {
  advisorFeed(siteId: $siteId, after: $after) { cursor reset kind summary at orderId card { plate make model notifyBy } }
}`;
const SEARCH_QUERY = `query Find($siteId: ID!, $q: String!) {
  customers(siteId: $siteId, query: $q, first: 10) { edges { node { id name phone vehicles { plate make model } } } }
}`;
const CUSTOMER_QUERY = `query Customer($id: ID!) {
  customer(id: $id) {
    id name phone email address createdAt
    vehicles { id plate vin make model year colour mileage }
    visits(first: 30) { totalCount edges { node {
      id receivedAt deliveredAt mileage complaint
      vehicle { plate make model } advisor { shortName }
      repairOrders {
        id number state workType promisedAt readyAt deliveredAt reworkCount late minutesLate
        bill { total { amount currency } }
        jobs { id description state additional }
      }
    } } }
  }
}`;

const $ = (id) => document.getElementById(id);

const app = {
  site: null,
  viewer: null,
  clock: new Clock(),
  orders: new Map(),
  capacity: null,
  activity: [],
  live: null,
  orderLoads: 0,
};
window.bayboard = app;

const carName = (o) => `${o.visit.vehicle.plate} ${o.visit.vehicle.model}`;
const ymd = (iso) => (iso ? app.clock.ymd.format(new Date(iso)) : '');

function minutesLate(o, now) {
  if (!o.promisedAt) return 0;
  const end = o.readyAt ? Date.parse(o.readyAt) : now;
  return Math.floor((end - Date.parse(o.promisedAt)) / 60000);
}

function setConn(state, detail) {
  const c = $('conn');
  c.dataset.state = state;
  c.textContent = state === 'live' ? t(TEXT, 'live') : state === 'reconnecting' ? t(TEXT, 'reconnecting')
    : state === 'unauthorized' ? t(TEXT, 'unauthorized') : state === 'error' ? t(TEXT, 'error', { m: detail || '' }) : t(TEXT, 'connecting');
  document.body.dataset.conn = state;
  if (state === 'unauthorized') fatal('badToken', detail);
  else if (document.body.dataset.fatal === 'badToken' && state === 'live') {
    document.getElementById('fatal')?.remove();
    delete document.body.dataset.fatal;
  }
}

function staticText() {
  $('title').textContent = t(TEXT, 'title');
  document.title = t(TEXT, 'title') + ' · Bayboard';
  $('search').placeholder = t(TEXT, 'search');
  $('search').setAttribute('aria-label', t(TEXT, 'search'));
  $('cap-label').textContent = t(TEXT, 'capLabel');
  $('est-label').textContent = t(TEXT, 'estLabel');
  $('orders-title').textContent = t(TEXT, 'ordersTitle');
  $('needs-title').textContent = t(TEXT, 'needsTitle');
  $('activity-title').textContent = t(TEXT, 'activityTitle');
  $('reception-open').textContent = '+ ' + t(D, 'reception');
  $('orders-empty').textContent = t(TEXT, 'ordersEmpty');
  $('drawer-title').textContent = t(TEXT, 'history');
  $('orders-head').replaceChildren(...['car', 'customer', 'stage', 'promised', 'progress', 'tech'].map((k) => el('th', {}, t(TEXT.col, k))));
}

// ---- my orders ----------------------------------------------------------

function renderOrders() {
  const now = app.clock.now().getTime();
  const orders = [...app.orders.values()].sort((a, b) =>
    (a.promisedAt ? Date.parse(a.promisedAt) : Infinity) - (b.promisedAt ? Date.parse(b.promisedAt) : Infinity) || a.number.localeCompare(b.number));
  $('orders-title').textContent = `${t(TEXT, 'ordersTitle')} (${orders.length})`;
  $('orders-empty').hidden = orders.length > 0;
  $('orders-body').replaceChildren(...orders.map((o) => {
    const late = minutesLate(o, now);
    const ready = !!o.readyAt;
    let due;
    if (ready) due = el('span', { class: 'due ok' }, t(TEXT, 'readyAt', { t: app.clock.time(o.readyAt) }));
    else if (o.promisedAt && late > 0) due = el('span', { class: 'due late' }, t(TEXT, 'lateBy', { d: duration(late) }));
    else if (o.promisedAt) due = el('span', { class: 'due' + (late > -30 ? ' soon' : '') }, t(TEXT, 'left', { d: duration(-late) }));
    const techs = [...new Set(o.jobs.map((j) => j.technician?.shortName).filter(Boolean))];
    const bays = [...new Set(o.jobs.map((j) => j.bay?.code).filter(Boolean))];
    const done = o.jobs.filter((j) => ['FINISHED', 'SELF_CHECKED', 'DONE'].includes(j.state)).length;
    const billable = o.jobs.filter((j) => !['DECLINED', 'CANCELLED'].includes(j.state)).length;
    return el('tr', { class: [late > 0 && !ready && 'is-late', o.state === 'READY' && 'is-ready'].filter(Boolean).join(' '), dataset: { order: o.id }, onclick: () => openOrder(o.id) },
      el('td', {}, el('div', { class: 'plate' }, o.visit.vehicle.plate), el('div', { class: 'muted' }, `${o.visit.vehicle.make} ${o.visit.vehicle.model}`, ' · ', o.number)),
      el('td', {}, el('div', {}, o.visit.customer.name), el('div', { class: 'muted' }, o.visit.customer.phone)),
      el('td', {}, el('span', { class: 'stage stage-' + (o.stage || o.state).toLowerCase() }, o.stage ? t(STAGES, o.stage) : t(STATES, o.state)),
        el('div', { class: 'muted' }, t(WORK, o.workType), o.priority !== 'NORMAL' ? ' · ' + o.priority : '')),
      el('td', {}, el('div', { class: 'strong' }, app.clock.time(o.promisedAt)), due),
      el('td', {}, el('div', { class: 'bar' }, el('div', { class: 'fill', style: `width:${o.progress}%` })),
        el('div', { class: 'muted' }, `${done}/${billable} · ${o.progress}%`, ...o.blockers.map((b) => el('span', { class: 'chip blk-' + b.toLowerCase() }, t(BLOCKERS, b))))),
      el('td', {}, el('div', {}, techs.join('、') || '—'), el('div', { class: 'muted' }, bays.join(' ') || '')));
  }));
  renderNeeds();
}

// needs derives "what needs me now" from the orders as they are, so it is
// right after a reload too; the feed only makes it come sooner.
function renderNeeds() {
  const now = app.clock.now().getTime();
  const items = [];
  for (const o of app.orders.values()) {
    const car = carName(o);
    for (const aw of o.additionalWork) {
      if (aw.state === 'REQUESTED') {
        items.push({ rank: 0, cls: 'urgent', kind: 'approval', aw, order: o, title: t(TEXT, 'approvalAsk', { car }),
          sub: (aw.safety ? '⚠ ' + t(TEXT, 'safety') + ' · ' : '') + t(TEXT, 'approvalAskSub', { desc: aw.description, price: money(aw.total), extra: duration(aw.extraMinutes) }),
          at: aw.requestedAt });
      } else if (aw.decidedAt && now - Date.parse(aw.decidedAt) < 2 * 3600e3) {
        items.push({ rank: 3, cls: 'info', order: o, title: t(TEXT, 'approvalAnswered', { car }),
          sub: `${aw.description}: ${t(TEXT, aw.state === 'APPROVED' ? 'approved' : 'declined')}`, at: aw.decidedAt });
      }
    }
    if (o.state === 'READY' && o.notifyBy) {
      const over = (now - Date.parse(o.notifyBy)) / 60000;
      items.push({ rank: over > 0 ? 0 : 1, cls: over > 0 ? 'urgent' : 'warn', kind: 'ready', order: o, title: t(TEXT, 'ready', { car }),
        sub: over > 0 ? t(TEXT, 'notifyOverdue', { d: duration(over) }) : t(TEXT, 'notify', { t: app.clock.time(o.notifyBy) }), at: o.notifyBy });
    }
    const late = minutesLate(o, now);
    if (!o.readyAt && o.promisedAt && late > 0 && o.state !== 'DRAFT') {
      items.push({ rank: 1, cls: 'urgent', kind: 'late', order: o, title: t(TEXT, 'late', { d: duration(late), car }), sub: t(TEXT, 'lateSub'), at: o.promisedAt });
    }
    if (o.blockers.includes('QC_FAILED')) items.push({ rank: 2, cls: 'warn', order: o, title: t(TEXT, 'qcFailed', { car }), sub: o.number, at: o.stageSince });
    if (o.blockers.includes('WAITING_PARTS')) items.push({ rank: 4, cls: 'info', order: o, title: t(TEXT, 'parts', { car }), sub: o.number, at: o.stageSince });
  }
  items.sort((a, b) => a.rank - b.rank || Date.parse(a.at) - Date.parse(b.at));
  $('needs-title').textContent = `${t(TEXT, 'needsTitle')} (${items.filter((i) => i.cls !== 'info').length})`;
  // A decision half typed in an alert survives the re-render of the list.
  const typing = $('needs').querySelector('.need-form :focus') ? $('needs').querySelector('.need-form :focus').closest('[data-additional]')?.dataset.additional : null;
  if (typing) return;
  $('needs').replaceChildren(...(items.length ? items.map((i) => el('li', { class: 'need ' + i.cls, dataset: { order: i.order.id, kind: i.kind || '' } },
    el('div', { class: 'need-title', onclick: () => openOrder(i.order.id) }, i.title),
    el('div', { class: 'need-sub', onclick: () => openOrder(i.order.id) }, i.sub, ' · ', i.order.visit.customer.name, ' ', i.order.visit.customer.phone),
    needButtons(i)))
    : [el('li', { class: 'none' }, t(TEXT, 'needsNone'))]));
}

// needButtons are the alert's own actions: the customer's answer on
// additional work right there; the other alerts open the order at the form
// that settles them.
function needButtons(i) {
  if (i.kind === 'approval') {
    const aw = i.aw;
    const form = el('form', { class: 'need-form', dataset: { additional: aw.id, order: i.order.id }, onsubmit: (e) => e.preventDefault() },
      el('input', { name: 'customerContact', value: i.order.visit.customer.name, 'aria-label': t(D, 'contact'), size: 8 }),
      select('contactMethod', CONTACT.map((m) => [m, t(D.method, m)]), 'PHONE'),
      el('button', { type: 'button', class: 'btn ok', dataset: { action: 'approveAdditionalWork' }, onclick: (e) => decideExtra(form, e.target, aw, i.order, true) }, t(D, 'approve')),
      el('button', { type: 'button', class: 'btn danger', dataset: { action: 'declineAdditionalWork' }, onclick: (e) => decideExtra(form, e.target, aw, i.order, false) }, t(D, 'decline')));
    return form;
  }
  if (i.kind === 'late') return el('div', { class: 'need-actions' }, el('button', { type: 'button', class: 'btn', dataset: { open: 'told' }, onclick: () => openOrder(i.order.id, 'told') }, t(D, 'tellCustomer')));
  if (i.kind === 'ready') return el('div', { class: 'need-actions' }, el('button', { type: 'button', class: 'btn', dataset: { open: 'order' }, onclick: () => openOrder(i.order.id) }, t(D, 'openOrder')));
  return null;
}

function renderActivity() {
  // Today's events, and at least those of the last 12 hours (an early shift
  // still sees what happened last evening).
  const now = app.clock.now();
  const today = app.clock.ymd.format(now);
  const cutoff = now.getTime() - 12 * 3600e3;
  const items = app.activity.filter((a) => ymd(a.at) === today || Date.parse(a.at) >= cutoff).slice(0, 40);
  $('activity').replaceChildren(...(items.length ? items.map((a) => {
    const o = app.orders.get(a.orderId);
    const car = o ? carName(o) : a.card ? `${a.card.plate} ${a.card.model}` : '';
    return el('li', { class: ['act', URGENT_KINDS.has(a.kind) && 'hot', a.fresh && 'fresh'].filter(Boolean).join(' '), dataset: { kind: a.kind } },
      el('span', { class: 'act-time' }, app.clock.hm.format(new Date(a.at))),
      el('span', { class: 'act-kind' }, t(KINDS, a.kind)),
      el('span', { class: 'act-car' }, car),
      a.kind === 'ORDER_READY' && a.card?.notifyBy ? el('span', { class: 'act-note' }, t(TEXT, 'notify', { t: app.clock.time(a.card.notifyBy) })) : null,
      // Rendered from the kind and the order as it is (zh/en, site zone), never the server's English summary.
      el('div', { class: 'act-summary' }, eventText({ ...a, order: o || null }, app.clock)));
  }) : [el('li', { class: 'none' }, t(TEXT, 'activityNone'))]));
}

let ordersTimer = null;
function reloadOrdersSoon(ms = 150) {
  clearTimeout(ordersTimer);
  ordersTimer = setTimeout(() => loadOrders().catch(() => reloadOrdersSoon(3000)), ms);
}

async function loadOrders() {
  const { repairOrders } = await gql(ORDERS_QUERY, { siteId: app.site.id, advisorId: app.viewer.id, states: OPEN_STATES });
  app.orderLoads++;
  app.orders = new Map(repairOrders.edges.map((e) => [e.node.id, e.node]));
  // Today's events of my open orders fill "latest" after a reload; the feed adds the rest.
  const known = new Set(app.activity.map((a) => a.key));
  for (const o of app.orders.values()) {
    for (const { node: e } of o.timeline.edges) {
      const key = eventKey(o.id, e);
      if (!KINDS[e.kind] || known.has(key)) continue;
      known.add(key);
      app.activity.push({ key, kind: e.kind, summary: e.summary, at: e.at, orderId: o.id, card: o.state === 'READY' ? { notifyBy: o.notifyBy } : null });
    }
  }
  app.activity.sort((a, b) => Date.parse(b.at) - Date.parse(a.at));
  renderOrders();
  renderActivity();
}

// ---- capacity -------------------------------------------------------------

function renderCapacity() {
  const c = app.capacity;
  if (!c) return;
  $('cap-free').textContent = t(TEXT, 'hours', { h: (c.freeLabourMinutes / 60).toFixed(1) });
  $('cap-sub').textContent = t(TEXT, 'capSub', { t: c.technicians, b: (c.backlogMinutes / 60).toFixed(1) });
  estimateSoon();
}

let estTimer = null;
function estimateSoon() {
  clearTimeout(estTimer);
  estTimer = setTimeout(async () => {
    const m = parseInt($('est-min').value, 10);
    if (!(m > 0)) return;
    try {
      const { estimateCompletion } = await gql('query Est($siteId: ID!, $m: Int!) { estimateCompletion(siteId: $siteId, labourMinutes: $m) }', { siteId: app.site.id, m });
      $('est-out').textContent = t(TEXT, 'estOut', { t: app.clock.time(estimateCompletion) });
    } catch { $('est-out').textContent = ''; }
  }, 300);
}

// ---- search and customer history -----------------------------------------

let searchTimer = null;
let searchSeq = 0;
function onSearchInput() {
  clearTimeout(searchTimer);
  const q = $('search').value.trim();
  if (!q) {
    $('results').hidden = true;
    return;
  }
  searchTimer = setTimeout(async () => {
    const seq = ++searchSeq;
    let edges = [];
    try {
      ({ customers: { edges } } = await gql(SEARCH_QUERY, { siteId: app.site.id, q }));
    } catch (e) {
      edges = [];
    }
    if (seq !== searchSeq) return;
    const ul = $('results');
    ul.replaceChildren(...(edges.length ? edges.map(({ node: c }) => el('li', { tabindex: 0, dataset: { customer: c.id }, onclick: () => openCustomer(c.id), onkeydown: (e) => e.key === 'Enter' && openCustomer(c.id) },
      el('span', { class: 'r-name' }, c.name), el('span', { class: 'r-phone' }, c.phone),
      el('span', { class: 'r-cars' }, c.vehicles.map((v) => `${v.plate} ${v.model}`).join('，'))))
      : [el('li', { class: 'none' }, t(TEXT, 'noResults'))]));
    ul.hidden = false;
  }, 250);
}

async function openCustomer(id) {
  $('results').hidden = true;
  app.desk.mode = 'customer';
  app.desk.orderId = null;
  const body = $('drawer-body');
  body.replaceChildren(el('p', { class: 'muted' }, '…'));
  $('drawer').hidden = false;
  let c;
  try {
    ({ customer: c } = await gql(CUSTOMER_QUERY, { id }));
  } catch (e) {
    body.replaceChildren(el('p', { class: 'error' }, e.message));
    return;
  }
  if (!c) {
    body.replaceChildren(el('p', { class: 'error' }, t(TEXT, 'noResults')));
    return;
  }
  $('drawer-title').textContent = `${t(TEXT, 'history')} · ${c.name}`;
  const visits = c.visits.edges.map((e) => e.node);
  body.replaceChildren(
    el('section', { class: 'cust' },
      el('div', { class: 'cust-name' }, c.name),
      el('div', {}, c.phone, c.email ? ' · ' + c.email : ''),
      c.address ? el('div', { class: 'muted' }, c.address) : null,
      el('div', { class: 'muted' }, t(TEXT, 'since', { d: ymd(c.createdAt) }))),
    el('h3', {}, t(TEXT, 'vehicles')),
    el('ul', { class: 'veh' }, c.vehicles.map((v) => el('li', {},
      el('span', { class: 'plate' }, v.plate), ` ${v.make} ${v.model}`, v.year ? ` ${v.year}` : '', v.colour ? ` · ${v.colour}` : '', ' ',
      el('button', { type: 'button', class: 'btn small', dataset: { open: 'reception', vehicle: v.id }, onclick: () => openReception({ customerId: c.id, vehicleId: v.id }) }, t(D, 'receiveThis')),
      el('div', { class: 'muted' }, [v.vin, v.mileage ? t(TEXT, 'km', { n: v.mileage.toLocaleString() }) : ''].filter(Boolean).join(' · '))))),
    el('h3', {}, t(TEXT, 'visits', { n: c.visits.totalCount })),
    el('ol', { class: 'visits' }, visits.map((v) => el('li', {},
      el('div', { class: 'v-head' },
        el('span', { class: 'strong' }, ymd(v.receivedAt)),
        el('span', {}, `${v.vehicle.plate} ${v.vehicle.model}`),
        el('span', { class: 'muted' }, t(TEXT, 'km', { n: v.mileage.toLocaleString() })),
        el('span', { class: 'muted' }, v.advisor?.shortName || ''),
        el('span', { class: v.deliveredAt ? 'muted' : 'tag' }, v.deliveredAt ? t(TEXT, 'delivered', { d: ymd(v.deliveredAt) }) : t(TEXT, 'inShop'))),
      v.complaint ? el('div', { class: 'v-complaint' }, t(TEXT, 'complaint'), v.complaint) : null,
      v.repairOrders.map((o) => el('div', { class: 'v-order' },
        el('div', {}, el('span', { class: 'strong' }, o.number), ' · ', t(WORK, o.workType), ' · ', t(STATES, o.state), ' · ', money(o.bill.total),
          o.reworkCount ? ` · ${t(JOBSTATE, 'REWORK')} ${o.reworkCount}` : ''),
        el('ul', { class: 'v-jobs' }, o.jobs.map((j) => el('li', { class: 'job-' + j.state.toLowerCase() }, j.description, j.additional ? ' (+)' : '', el('span', { class: 'muted' }, ' · ' + t(JOBSTATE, j.state)))))))))),
    c.visits.totalCount > visits.length ? el('p', { class: 'muted' }, t(TEXT, 'more', { n: c.visits.totalCount - visits.length })) : '');
}

// ---- the desk: reception, the order, its decisions ---------------------

const D = {
  reception: { zh: '接车', en: 'Reception' },
  receptionTitle: { zh: '接车登记', en: 'Receive a car' },
  appointments: { zh: '今日预约', en: 'Today’s appointments' },
  noAppointments: { zh: '今天没有待到店的预约。', en: 'No appointments waiting today.' },
  pickUp: { zh: '到店接车', en: 'Arrived' },
  appointmentPicked: { zh: '预约：{w}（{t}）', en: 'Appointment: {w} ({t})' },
  find: { zh: '查找客户：电话、车牌或 VIN', en: 'Find the customer: phone, plate or VIN' },
  newCustomer: { zh: '新客户', en: 'New customer' },
  newVehicle: { zh: '新车辆', en: 'New vehicle' },
  customer: { zh: '客户', en: 'Customer' },
  vehicle: { zh: '车辆', en: 'Vehicle' },
  name: { zh: '姓名', en: 'Name' }, phone: { zh: '电话', en: 'Phone' },
  plate: { zh: '车牌', en: 'Plate' }, vin: { zh: 'VIN', en: 'VIN' }, make: { zh: '品牌', en: 'Make' }, model: { zh: '车型', en: 'Model' },
  colour: { zh: '颜色', en: 'Colour' }, year: { zh: '年款', en: 'Year' },
  mileage: { zh: '里程（公里）', en: 'Odometer (km)' }, fuel: { zh: '油量（%）', en: 'Fuel (%)' }, fuelNow: { zh: '油量 {n}%', en: 'fuel {n}%' },
  damages: { zh: '环车检查：已有损伤（每行一处，如 左前门：划痕5cm）', en: 'Walk-around: existing damage (one a line, e.g. front left door: 5 cm scratch)' },
  belongings: { zh: '随车物品（每行一件）', en: 'Belongings left in the car (one a line)' },
  keyTag: { zh: '钥匙牌号', en: 'Key tag' }, complaint: { zh: '客户描述', en: 'Complaint' },
  walkaroundSigned: { zh: '客户已在环车检查单和物品清单上签字', en: 'The customer signed the walk-around and belongings list' },
  receive: { zh: '接车', en: 'Receive' },
  received: { zh: '已接车：{p}，钥匙牌 {k}', en: 'Received: {p}, key tag {k}' },
  draft: { zh: '开委托书（估价）', en: 'Start the estimate' },
  workType: { zh: '维修类型', en: 'Kind of work' }, findings: { zh: '问诊 / 诊断', en: 'Diagnosis' },
  wash: { zh: '免费洗车', en: 'Free wash' }, payment: { zh: '付款方式', en: 'Payment' }, oldParts: { zh: '旧件处理', en: 'Old parts' },
  insurance: { zh: '保险理赔', en: 'Insurance claim' }, insurer: { zh: '保险公司', en: 'Insurer' }, assessment: { zh: '定损单号', en: 'Assessment no.' },
  saveTerms: { zh: '保存条款', en: 'Save terms' },
  jobs: { zh: '维修项目', en: 'Jobs' }, parts: { zh: '配件', en: 'Parts' },
  job: { zh: '项目', en: 'Job' }, minutes: { zh: '工时（分）', en: 'Labour (min)' }, price: { zh: '金额', en: 'Price' }, payer: { zh: '付费方', en: 'Payer' },
  state: { zh: '状态', en: 'State' }, who: { zh: '技师 / 工位', en: 'Tech / bay' },
  addJob: { zh: '添加项目', en: 'Add job' }, addPart: { zh: '添加配件', en: 'Add part' }, remove: { zh: '删除', en: 'Remove' },
  partSearch: { zh: '配件号或名称', en: 'Part number or name' }, qty: { zh: '数量', en: 'Qty' }, unit: { zh: '单价', en: 'Unit' },
  forJob: { zh: '所属项目', en: 'For job' }, noJob: { zh: '（不属于某个项目）', en: '(no job)' },
  partNumber: { zh: '配件号', en: 'Part no.' }, description: { zh: '名称', en: 'Description' },
  stock: { zh: '库存', en: 'Stock' }, inStock: { zh: '有货 {n}', en: '{n} in stock' }, short: { zh: '缺货（可用 {n}）', en: 'short ({n} available)' }, notCatalogue: { zh: '非目录件', en: 'not stocked' },
  bill: { zh: '费用', en: 'Bill' }, labour: { zh: '工时费', en: 'Labour' }, partsTotal: { zh: '材料费', en: 'Parts' }, total: { zh: '合计', en: 'Total' },
  customerShare: { zh: '客户付', en: 'Customer pays' }, warrantyShare: { zh: '厂家保修', en: 'Warranty' }, insurerShare: { zh: '保险公司', en: 'Insurer' }, internalShare: { zh: '内部', en: 'Internal' },
  sign: { zh: '客户签字', en: 'Customer’s signature' }, signHere: { zh: '请客户在此签名', en: 'Customer signs here' }, clear: { zh: '重签', en: 'Clear' },
  signedBy: { zh: '签字人', en: 'Signed by' }, promised: { zh: '承诺交车时间', en: 'Promised for' },
  doSign: { zh: '确认签字', en: 'Record the signature' }, needSignature: { zh: '请先让客户在框内签名。', en: 'Have the customer sign in the box first.' },
  signatureKept: { zh: '签名图像保存在本页面，用于打印委托书（系统只记录签字人和时间）。', en: 'The drawn signature stays on this page for printing (the system records who signed and when).' },
  handOver: { zh: '交车间', en: 'Hand over to the workshop' }, priority: { zh: '优先级', en: 'Priority' },
  cancel: { zh: '取消委托书', en: 'Cancel the order' }, cancelReason: { zh: '取消原因', en: 'Why' },
  told: { zh: '已告知客户新的交车时间', en: 'Customer told: new promised time' }, newPromised: { zh: '新的承诺时间', en: 'New promised time' },
  reason: { zh: '原因（告知客户的内容）', en: 'Reason (what the customer was told)' }, saveTold: { zh: '记录', en: 'Record' },
  tellCustomer: { zh: '告知客户', en: 'Tell the customer' }, openOrder: { zh: '打开委托书', en: 'Open the order' },
  additional: { zh: '增项', en: 'Additional work' }, contact: { zh: '客户方答复人', en: 'Who answered' }, method: { PHONE: { zh: '电话', en: 'Phone' }, IN_PERSON: { zh: '当面', en: 'In person' }, MESSAGE: { zh: '短信/微信', en: 'Message' }, CUSTOMER_LINK: { zh: '客户链接', en: 'Customer link' } },
  sendLink: { zh: '发送确认链接给客户', en: 'Send the customer the approval link' },
  linkSent: { zh: '链接已发送（72 小时内有效）：', en: 'Link sent (valid 72 hours): ' },
  contactMethod: { zh: '联系方式', en: 'How reached' }, note: { zh: '备注', en: 'Note' },
  approve: { zh: '客户同意', en: 'Approved' }, decline: { zh: '客户拒绝', en: 'Declined' },
  awState: { REQUESTED: { zh: '待客户确认', en: 'waiting for the customer' }, APPROVED: { zh: '已同意', en: 'approved' }, DECLINED: { zh: '已拒绝', en: 'declined' } },
  deliver: { zh: '交车', en: 'Delivery' }, checkBelongings: { zh: '与客户逐项核对随车物品', en: 'Check the belongings with the customer' },
  noBelongings: { zh: '没有登记随车物品：已与客户确认', en: 'No belongings listed: confirmed with the customer' },
  nextDate: { zh: '下次保养日期', en: 'Next service date' }, nextKm: { zh: '下次保养里程', en: 'Next service km' }, exitPass: { zh: '出门证号（留空自动生成）', en: 'Exit pass no. (blank: generated)' },
  doDeliver: { zh: '确认交车', en: 'Deliver' }, needBelongings: { zh: '请先逐项核对随车物品。', en: 'Check every belonging first.' },
  print: { zh: '打印', en: 'Print' }, pOrder: { zh: '委托书', en: 'Repair order' }, pCopy: { zh: '委托书（客户联）', en: 'Repair order (customer copy)' },
  pCheckin: { zh: '接车单', en: 'Check-in sheet' }, pSettlement: { zh: '结算单', en: 'Settlement' }, pExit: { zh: '出门证', en: 'Exit pass' },
  history: { zh: '客户档案', en: 'Customer record' }, receiveThis: { zh: '接这辆车', en: 'Receive this car' },
  changed: { zh: '此单刚有更新。', en: 'This order just changed.' }, refresh: { zh: '刷新', en: 'Refresh' },
  settledInfo: { zh: '已结算：{m}', en: 'Settled: {m}' }, deliveredInfo: { zh: '已交车 {t}，出门证 {p}', en: 'Delivered {t}, exit pass {p}' },
  readyInfo: { zh: '竣工待结算：请客户到收银台结算。', en: 'Ready: the customer settles at the cashier.' },
  cancelled: { zh: '已取消：{r}', en: 'Cancelled: {r}' },
  late: { zh: '已超时 {d}', en: '{d} late' },
};
const CONTACT = ['PHONE', 'IN_PERSON', 'MESSAGE'];
const PAYERS = { CUSTOMER: { zh: '客户', en: 'Customer' }, WARRANTY: { zh: '保修', en: 'Warranty' }, INSURER: { zh: '保险', en: 'Insurer' }, INTERNAL: { zh: '内部', en: 'Internal' } };
const PAYMENTS = { CASH: { zh: '现金', en: 'Cash' }, CARD: { zh: '银行卡', en: 'Card' }, WECHAT_PAY: { zh: '微信支付', en: 'WeChat Pay' }, ALIPAY: { zh: '支付宝', en: 'Alipay' }, BANK_TRANSFER: { zh: '转账', en: 'Transfer' }, NONE: { zh: '未定', en: 'Not chosen' } };
const OLDPARTS = { RETURN_TO_CUSTOMER: { zh: '交还客户', en: 'Return to customer' }, SHOW_TO_CUSTOMER: { zh: '展示后处理', en: 'Show, then discard' }, DISCARD: { zh: '厂内处理', en: 'Discard' }, WARRANTY_RETAIN: { zh: '保修留存', en: 'Keep for warranty' } };
const PRIORITIES = { NORMAL: { zh: '普通', en: 'Normal' }, HIGH: { zh: '优先', en: 'High' }, URGENT: { zh: '加急', en: 'Urgent' } };
const pairs = (dict) => Object.keys(dict).map((k) => [k, t(dict, k)]);

const MONEY = 'amount currency';
const ORDER_FIELDS = `id number state version workType findings priority paymentMethod washRequested oldParts insuranceClaim insurerName assessmentReference
  promisedAt estimatedAt signedAt signedBy handedOverAt readyAt notifyBy settledAt deliveredAt cancelReason late minutesLate createdAt
  advisor { name shortName }
  visit { id version receivedAt mileage fuelLevel damages { location description } belongings keyTag complaint walkaroundSigned deliveredAt exitPass
    customer { id name phone } vehicle { id plate vin make model year colour } appointment { id requestedWork scheduledAt } }
  jobs { id description state labourMinutes labourPrice { ${MONEY} } payer additional safety technician { shortName } bay { code } }
  partLines { id partNumber description quantity unitPrice { ${MONEY} } total { ${MONEY} } payer additional job { id } part { id available onHand } }
  additionalWork { id version state description reason total { ${MONEY} } extraMinutes safety requestedAt decidedAt customerContact contactMethod decisionNote }
  bill { labour { ${MONEY} } parts { ${MONEY} } total { ${MONEY} } customerShare { ${MONEY} } warrantyShare { ${MONEY} } insurerShare { ${MONEY} } internalShare { ${MONEY} } unavailableParts { id } }
  settlement { total { ${MONEY} } customerShare { ${MONEY} } paymentMethod paymentReference settledAt }`;
const ORDER_QUERY = `query Order($id: ID!) { repairOrder(id: $id) { ${ORDER_FIELDS} } }`;
const PAYLOAD_ORDER = `repairOrder { ${ORDER_FIELDS} }`;

app.desk = { mode: null, orderId: null, order: null, stale: false };
app.signatures = {}; // order ID → the drawn signature (data URL), read by the print page

function drawer(title, ...children) {
  $('drawer-title').textContent = title;
  $('drawer-body').replaceChildren(...children);
  $('drawer').hidden = false;
}

function closeDrawer() {
  $('drawer').hidden = true;
  app.desk.mode = null;
  app.desk.orderId = null;
}

// lines splits a textarea into its non-empty lines.
const lines = (v) => v.split(/\n/).map((x) => x.trim()).filter(Boolean);
const val = (form, name) => form.elements[name]?.value.trim() ?? '';
const intOrNull = (v) => (v === '' ? null : Number.parseInt(v, 10));
const tz = () => app.site.timeZone;

// ---- reception

async function openReception(pre = {}) {
  app.desk.mode = 'reception';
  app.desk.orderId = null;
  const form = el('form', { class: 'desk-form reception', id: 'reception', autocomplete: 'off', onsubmit: (e) => e.preventDefault() });
  const state = { appointmentId: null, customerId: pre.customerId || null, vehicleId: pre.vehicleId || null, newCustomer: !pre.customerId, newVehicle: !pre.vehicleId };
  const apptList = el('ul', { class: 'appts', id: 'appointments' }, el('li', { class: 'muted loading' }, '…'));
  const who = el('div', { class: 'picked', id: 'picked' });
  const results = el('ul', { class: 'lookup-results', id: 'lookup-results' });
  const custFields = el('fieldset', { class: 'grid3', id: 'new-customer' }, el('legend', {}, t(D, 'newCustomer')),
    field(t(D, 'name'), el('input', { name: 'customer.name' })), field(t(D, 'phone'), el('input', { name: 'customer.phone', inputmode: 'tel' })));
  const vehFields = el('fieldset', { class: 'grid3', id: 'new-vehicle' }, el('legend', {}, t(D, 'newVehicle')),
    field(t(D, 'plate'), el('input', { name: 'vehicle.plate' })), field(t(D, 'vin'), el('input', { name: 'vehicle.vin', maxlength: 17 })),
    field(t(D, 'make'), el('input', { name: 'vehicle.make' })), field(t(D, 'model'), el('input', { name: 'vehicle.model' })),
    field(t(D, 'colour'), el('input', { name: 'vehicle.colour' })), field(t(D, 'year'), el('input', { name: 'vehicle.year', type: 'number', min: 1950, max: 2100 })));
  const vehPick = el('div', { class: 'veh-pick', id: 'veh-pick' });

  const showPicked = (c) => {
    who.replaceChildren(c ? el('div', { class: 'strong' }, `${c.name} · ${c.phone}`) : '', state.appointment ? el('div', { class: 'tag' }, t(D, 'appointmentPicked', { w: state.appointment.requestedWork, t: app.clock.time(state.appointment.scheduledAt) })) : '');
    custFields.hidden = !state.newCustomer;
    vehPick.replaceChildren(...(c && !state.appointment ? [
      ...c.vehicles.map((v) => el('label', { class: 'radio' }, el('input', { type: 'radio', name: 'pickVehicle', value: v.id, checked: state.vehicleId === v.id, onchange: () => { state.vehicleId = v.id; state.newVehicle = false; vehFields.hidden = true; } }), ` ${v.plate} ${v.make} ${v.model}`)),
      el('label', { class: 'radio' }, el('input', { type: 'radio', name: 'pickVehicle', value: '', checked: !state.vehicleId, onchange: () => { state.vehicleId = null; state.newVehicle = true; vehFields.hidden = false; } }), ' ' + t(D, 'newVehicle')),
    ] : []));
    vehFields.hidden = !state.newVehicle;
  };
  const pickCustomer = (c, vehicleId) => {
    state.customerId = c.id;
    state.newCustomer = false;
    state.vehicleId = vehicleId || c.vehicles[0]?.id || null;
    state.newVehicle = !state.vehicleId;
    results.replaceChildren();
    showPicked(c);
    const v = c.vehicles.find((x) => x.id === state.vehicleId);
    if (v?.mileage && !form.elements.mileage.value) form.elements.mileage.placeholder = `≥ ${v.mileage}`;
  };
  let lookTimer = null;
  const lookup = el('input', { type: 'search', id: 'lookup', placeholder: t(D, 'find'), 'aria-label': t(D, 'find'), oninput: () => {
    clearTimeout(lookTimer);
    const q = lookup.value.trim();
    if (!q) return results.replaceChildren();
    lookTimer = setTimeout(async () => {
      const { customers } = await gql(`query Look($s: ID!, $q: String!) { customers(siteId: $s, query: $q, first: 8) { edges { node { id name phone vehicles { id plate vin make model mileage } } } } }`, { s: app.site.id, q });
      results.replaceChildren(...customers.edges.map(({ node: c }) => el('li', { dataset: { customer: c.id }, tabindex: 0, onclick: () => pickCustomer(c) },
        el('span', { class: 'strong' }, c.name), ' ', c.phone, ' · ', c.vehicles.map((v) => v.plate).join('，'))),
      el('li', { class: 'new', onclick: () => { Object.assign(state, { customerId: null, vehicleId: null, newCustomer: true, newVehicle: true, appointment: null, appointmentId: null }); results.replaceChildren(); showPicked(null); } }, '+ ' + t(D, 'newCustomer')));
    }, 250);
  } });

  form.append(
    el('h3', {}, t(D, 'appointments')), apptList,
    el('h3', {}, t(D, 'customer')), lookup, results, who, custFields, vehPick, vehFields,
    el('div', { class: 'grid3' },
      field(t(D, 'mileage'), el('input', { name: 'mileage', type: 'number', min: 0, required: true })),
      field(t(D, 'fuel'), el('input', { name: 'fuelLevel', type: 'number', min: 0, max: 100, step: 5, value: 50 })),
      field(t(D, 'keyTag'), el('input', { name: 'keyTag' }))),
    field(t(D, 'complaint'), el('textarea', { name: 'complaint', rows: 2 })),
    el('div', { class: 'grid2' },
      field(t(D, 'damages'), el('textarea', { name: 'damages', rows: 3 })),
      field(t(D, 'belongings'), el('textarea', { name: 'belongings', rows: 3 }))),
    el('label', { class: 'check' }, el('input', { type: 'checkbox', name: 'walkaroundSigned' }), ' ', t(D, 'walkaroundSigned')),
    el('div', { class: 'form-error', role: 'alert', hidden: true }),
    el('div', { class: 'buttons' }, el('button', { type: 'submit', class: 'btn primary', dataset: { action: 'receiveVehicle' }, onclick: (e) => submitReception(form, e.target, state) }, t(D, 'receive'))));
  drawer(t(D, 'receptionTitle'), form);
  showPicked(null);

  if (pre.customerId) {
    const { customer } = await gql(`query C($id: ID!) { customer(id: $id) { id name phone vehicles { id plate vin make model mileage } } }`, { id: pre.customerId });
    if (customer) pickCustomer(customer, pre.vehicleId);
  }
  try {
    const { site } = await gql(`query Appts($s: ID!) { site(id: $s) { appointments { id state scheduledAt requestedWork
      customer { id name phone vehicles { id plate vin make model mileage } } vehicle { id plate make model } advisor { id } } } }`, { s: app.site.id });
    const open = site.appointments.filter((a) => a.state === 'BOOKED');
    apptList.replaceChildren(...(open.length ? open.map((a) => el('li', { dataset: { appointment: a.id } },
      el('span', { class: 'strong' }, app.clock.time(a.scheduledAt)), ` ${a.vehicle.plate} ${a.vehicle.model} · ${a.customer.name} · ${a.requestedWork} `,
      el('button', { type: 'button', class: 'btn small', onclick: () => {
        Object.assign(state, { appointmentId: a.id, appointment: a, customerId: a.customer.id, vehicleId: a.vehicle.id, newCustomer: false, newVehicle: false });
        if (!form.elements.complaint.value) form.elements.complaint.value = a.requestedWork;
        showPicked(a.customer);
      } }, t(D, 'pickUp')))) : [el('li', { class: 'muted' }, t(D, 'noAppointments'))]));
  } catch {
    apptList.replaceChildren();
  }
}

async function submitReception(form, button, state) {
  const input = {
    siteId: app.site.id,
    mileage: intOrNull(val(form, 'mileage')) ?? -1,
    fuelLevel: intOrNull(val(form, 'fuelLevel')) ?? 0,
    keyTag: val(form, 'keyTag'),
    complaint: val(form, 'complaint'),
    walkaroundSigned: form.elements.walkaroundSigned.checked,
    damages: lines(form.elements.damages.value).map((l) => {
      const [location, ...rest] = l.split(/[:：]/);
      return { location: location.trim(), description: rest.join('：').trim() || location.trim() };
    }),
    belongings: lines(form.elements.belongings.value),
  };
  if (state.appointmentId) input.appointmentId = state.appointmentId;
  if (state.customerId) input.customerId = state.customerId;
  else input.customer = { name: val(form, 'customer.name'), phone: val(form, 'customer.phone') };
  if (!state.appointmentId) {
    if (state.vehicleId) input.vehicleId = state.vehicleId;
    else {
      input.vehicle = { plate: val(form, 'vehicle.plate'), make: val(form, 'vehicle.make'), model: val(form, 'vehicle.model'), colour: val(form, 'vehicle.colour') };
      if (val(form, 'vehicle.vin')) input.vehicle.vin = val(form, 'vehicle.vin');
      if (val(form, 'vehicle.year')) input.vehicle.year = intOrNull(val(form, 'vehicle.year'));
    }
  }
  await run(form, button, 'receiveVehicle', input, 'visit { id keyTag vehicle { plate make model } customer { name } }', {
    onDone: (p) => showDraftForm(p.visit),
  });
}

// showDraftForm follows a reception: the terms of the estimate, then the order.
function showDraftForm(visit) {
  const form = el('form', { class: 'desk-form', dataset: { visit: visit.id }, onsubmit: (e) => e.preventDefault() },
    el('p', { class: 'ok-note' }, t(D, 'received', { p: `${visit.vehicle.plate} ${visit.vehicle.model}`, k: visit.keyTag })),
    el('div', { class: 'grid3' },
      field(t(D, 'workType'), select('workType', pairs(WORK), 'MAINTENANCE')),
      field(t(D, 'payment'), select('paymentMethod', pairs(PAYMENTS), 'NONE')),
      field(t(D, 'oldParts'), select('oldParts', pairs(OLDPARTS), 'SHOW_TO_CUSTOMER'))),
    field(t(D, 'findings'), el('textarea', { name: 'findings', rows: 2 })),
    el('label', { class: 'check' }, el('input', { type: 'checkbox', name: 'washRequested' }), ' ', t(D, 'wash')),
    el('div', { class: 'form-error', role: 'alert', hidden: true }));
  const button = el('button', { type: 'button', class: 'btn primary', dataset: { action: 'createRepairOrder' }, onclick: () => run(form, button, 'createRepairOrder', {
    visitId: visit.id, workType: val(form, 'workType'), findings: val(form, 'findings'), paymentMethod: val(form, 'paymentMethod'),
    oldParts: val(form, 'oldParts'), washRequested: form.elements.washRequested.checked,
  }, 'repairOrder { id }', { onDone: (p) => { reloadOrdersSoon(0); openOrder(p.repairOrder.id); } }) }, t(D, 'draft'));
  form.append(el('div', { class: 'buttons' }, button));
  drawer(t(D, 'receptionTitle'), form);
}

// ---- the order

async function openOrder(id, focus) {
  $('results').hidden = true;
  app.desk.mode = 'order';
  app.desk.orderId = id;
  if (app.desk.order?.id !== id) {
    app.desk.order = null;
    drawer('…', el('p', { class: 'muted' }, '…'));
  }
  let o;
  try {
    ({ repairOrder: o } = await gql(ORDER_QUERY, { id }));
  } catch (e) {
    if (isAuthError(e) && e.code === 'UNAUTHENTICATED') fatal('badToken', e.message);
    drawer('—', el('p', { class: 'error' }, e.message));
    return;
  }
  if (app.desk.orderId !== id) return;
  if (!o) return drawer('—', el('p', { class: 'error' }, t(TEXT, 'noResults')));
  renderOrderDesk(o, focus);
}

// refreshOrder re-reads the open order after a live change. The order
// exactly as shown (e.g. the echo of the advisor's own change) changes
// nothing; a newer one replaces the desk unless the advisor is typing in it
// or the customer has signed on it: then a banner offers the refresh
// instead of wiping their work.
let refreshSeq = 0;
async function refreshOrder() {
  if (app.desk.mode !== 'order' || !app.desk.orderId) return;
  const id = app.desk.orderId;
  const seq = ++refreshSeq;
  let o;
  try {
    ({ repairOrder: o } = await gql(ORDER_QUERY, { id }));
  } catch {
    return; // the next change or a click tries again
  }
  if (seq !== refreshSeq || app.desk.orderId !== id || !o) return;
  if (app.desk.order && JSON.stringify(o) === JSON.stringify(app.desk.order)) return;
  const active = document.activeElement;
  const typing = active && $('drawer-body').contains(active) && /INPUT|TEXTAREA|SELECT|CANVAS/.test(active.tagName);
  if (typing || $('drawer-body').querySelector('.order-desk[data-dirty]')) {
    if (!$('drawer-body').querySelector('.stale')) {
      ($('drawer-body').querySelector('.order-desk') || $('drawer-body')).prepend(el('div', { class: 'stale', role: 'status' }, t(D, 'changed'), ' ',
        el('button', { type: 'button', class: 'btn small', onclick: () => openOrder(id) }, t(D, 'refresh'))));
    }
    return;
  }
  renderOrderDesk(o);
}

function renderOrderDesk(o, focus) {
  app.desk.order = o;
  const v = o.visit;
  const open = ['SIGNED', 'IN_WORK', 'QC', 'WASH', 'READY'].includes(o.state);
  const sections = [];
  const head = el('section', { class: 'o-head' },
    el('div', { class: 'o-title' }, el('span', { class: 'plate' }, v.vehicle.plate), ` ${v.vehicle.make} ${v.vehicle.model}`,
      el('span', { class: 'stage stage-' + o.state.toLowerCase() }, t(STATES, o.state))),
    el('div', {}, el('span', { class: 'strong' }, v.customer.name), ' · ', v.customer.phone, ' · ', o.number, ' · ', t(WORK, o.workType),
      ' · ', el('button', { type: 'button', class: 'link', onclick: () => openCustomer(v.customer.id) }, t(D, 'history'))),
    el('div', { class: 'muted' }, `${t(D, 'keyTag')} ${v.keyTag} · ${t(TEXT, 'km', { n: v.mileage.toLocaleString() })} · ${t(D, 'fuelNow', { n: v.fuelLevel })}`,
      o.promisedAt ? ` · ${t(D, 'promised')} ${app.clock.time(o.promisedAt)}` : '',
      o.late ? el('span', { class: 'due late inline' }, ' ' + t(D, 'late', { d: duration(o.minutesLate) })) : null),
    v.complaint ? el('div', { class: 'v-complaint' }, t(TEXT, 'complaint'), v.complaint) : null,
    printLinks(o));
  sections.push(head);
  if (o.state === 'CANCELLED') sections.push(el('p', { class: 'error' }, t(D, 'cancelled', { r: o.cancelReason })));
  sections.push(jobsSection(o), partsSection(o), billSection(o));
  if (o.additionalWork.length) sections.push(additionalSection(o));
  if (o.state === 'DRAFT') sections.push(termsSection(o), signSection(o), cancelSection(o));
  if (o.state === 'SIGNED') sections.push(handOverSection(o), cancelSection(o));
  if (open) sections.push(toldSection(o));
  if (o.state === 'READY') sections.push(el('p', { class: 'info-note' }, t(D, 'readyInfo')));
  if (o.settlement) sections.push(el('p', { class: 'ok-note' }, t(D, 'settledInfo', { m: money(o.settlement.total) })));
  if (o.state === 'SETTLED') sections.push(deliverSection(o));
  if (o.state === 'DELIVERED') sections.push(el('p', { class: 'ok-note' }, t(D, 'deliveredInfo', { t: app.clock.time(o.deliveredAt), p: v.exitPass })));
  const body = el('div', { class: 'order-desk', dataset: { order: o.id, visit: v.id, state: o.state, version: o.version } }, ...sections);
  // Anything typed or drawn marks the desk, so a live change does not wipe it.
  const dirty = () => { body.dataset.dirty = '1'; };
  body.addEventListener('input', dirty);
  body.addEventListener('pointerdown', (e) => e.target.matches('canvas') && dirty());
  drawer(`${t(D, 'pOrder')} ${o.number}`, body);
  if (focus) body.querySelector(`[data-section="${focus}"]`)?.scrollIntoView({ block: 'start' });
  if (focus === 'told') body.querySelector('[data-section="told"] input')?.focus();
}

function printLinks(o) {
  const links = [['order', t(D, 'pOrder')], ['order', t(D, 'pCopy'), 'customer'], ['checkin', t(D, 'pCheckin')]];
  if (o.settlement) links.push(['settlement', t(D, 'pSettlement')]);
  if (['SETTLED', 'DELIVERED'].includes(o.state)) links.push(['exitpass', t(D, 'pExit')]);
  return el('div', { class: 'print-links' }, el('span', { class: 'muted' }, t(D, 'print') + '：'), ...links.map(([kind, text, copy]) =>
    el('a', { href: printURL(kind, o.id, copy), target: '_blank', rel: 'opener', dataset: { print: kind + (copy ? '-' + copy : '') } }, text)));
}

const stockText = (pl) => !pl.part ? t(D, 'notCatalogue') : pl.part.available >= pl.quantity ? t(D, 'inStock', { n: pl.part.available }) : t(D, 'short', { n: pl.part.available });

function jobsSection(o) {
  const draft = o.state === 'DRAFT';
  const table = el('table', { class: 'lines' },
    el('thead', {}, el('tr', {}, ...[t(D, 'job'), t(D, 'minutes'), t(D, 'price'), t(D, 'payer'), t(D, 'state'), t(D, 'who'), ''].map((h) => el('th', {}, h)))),
    el('tbody', {}, o.jobs.map((j) => el('tr', { dataset: { job: j.id }, class: 'job-' + j.state.toLowerCase() },
      el('td', {}, j.description, j.additional ? el('span', { class: 'tag' }, ' ' + t(D, 'additional')) : null, j.safety ? ' ⚠' : ''),
      el('td', {}, String(j.labourMinutes)), el('td', { class: 'num' }, money(j.labourPrice)), el('td', {}, t(PAYERS, j.payer)),
      el('td', {}, t(JOBSTATE, j.state)), el('td', {}, [j.technician?.shortName, j.bay?.code].filter(Boolean).join(' / ')),
      el('td', {}, draft ? removeButton(o, { jobId: j.id }) : '')))));
  const sec = el('section', { class: 'o-sec', dataset: { section: 'jobs' } }, el('h3', {}, t(D, 'jobs')), table);
  if (draft) {
    const form = el('form', { class: 'inline-form', dataset: { order: o.id }, onsubmit: (e) => e.preventDefault() },
      field(t(D, 'job'), el('input', { name: 'job.description', size: 24 })),
      field(t(D, 'minutes'), el('input', { name: 'job.labourMinutes', type: 'number', min: 1, step: 6, value: 60, style: 'width:6rem' })),
      field(t(D, 'payer'), select('job.payer', [['', '—'], ...pairs(PAYERS)], '')));
    const b = el('button', { type: 'button', class: 'btn', dataset: { action: 'addJob' }, onclick: () => {
      const job = { description: val(form, 'job.description'), labourMinutes: intOrNull(val(form, 'job.labourMinutes')) ?? 0 };
      if (val(form, 'job.payer')) job.payer = val(form, 'job.payer');
      orderRun(form, b, 'addJob', { orderId: o.id, expectedVersion: o.version, job });
    } }, t(D, 'addJob'));
    form.append(b);
    sec.append(form);
  }
  return sec;
}

function partsSection(o) {
  const draft = o.state === 'DRAFT';
  const table = el('table', { class: 'lines' },
    el('thead', {}, el('tr', {}, ...[t(D, 'partNumber'), t(D, 'description'), t(D, 'qty'), t(D, 'unit'), t(D, 'price'), t(D, 'stock'), ''].map((h) => el('th', {}, h)))),
    el('tbody', {}, o.partLines.map((pl) => el('tr', { dataset: { partLine: pl.id, job: pl.job?.id }, class: pl.part && pl.part.available < pl.quantity ? 'short' : '' },
      el('td', {}, pl.partNumber), el('td', {}, pl.description), el('td', {}, String(pl.quantity)), el('td', { class: 'num' }, money(pl.unitPrice)),
      el('td', { class: 'num' }, money(pl.total)), el('td', { class: 'avail' }, stockText(pl)),
      el('td', {}, draft ? removeButton(o, { partLineId: pl.id }) : '')))));
  const sec = el('section', { class: 'o-sec', dataset: { section: 'parts' } }, el('h3', {}, t(D, 'parts')), table);
  if (draft) {
    const found = el('ul', { class: 'lookup-results parts-found' });
    let timer = null;
    const form = el('form', { class: 'inline-form', dataset: { order: o.id }, onsubmit: (e) => e.preventDefault() });
    const q = el('input', { name: 'part.partNumber', size: 14, placeholder: t(D, 'partSearch'), oninput: () => {
      clearTimeout(timer);
      const s = q.value.trim();
      if (s.length < 2) return found.replaceChildren();
      timer = setTimeout(async () => {
        try {
          const { parts } = await gql(`query Parts($s: ID!, $q: String) { parts(siteId: $s, query: $q, first: 8) { edges { node { id partNumber description unitPrice { ${MONEY} } available } } } }`, { s: app.site.id, q: s });
          found.replaceChildren(...parts.edges.map(({ node: p }) => el('li', { dataset: { part: p.id }, onclick: () => {
            q.value = p.partNumber;
            form.elements['part.description'].value = p.description;
            found.replaceChildren();
          } }, el('span', { class: 'strong' }, p.partNumber), ` ${p.description} · ${money(p.unitPrice)} · `,
          el('span', { class: p.available > 0 ? 'ok' : 'late' }, t(D, 'inStock', { n: p.available })))));
        } catch { found.replaceChildren(); }
      }, 250);
    } });
    const b = el('button', { type: 'button', class: 'btn', dataset: { action: 'addPartLine' }, onclick: () => {
      const part = { partNumber: q.value.trim(), quantity: intOrNull(val(form, 'part.quantity')) ?? 0 };
      if (val(form, 'part.description')) part.description = val(form, 'part.description');
      if (val(form, 'part.unitPrice')) part.unitPrice = val(form, 'part.unitPrice');
      const input = { orderId: o.id, expectedVersion: o.version, part };
      if (val(form, 'jobId')) input.jobId = val(form, 'jobId');
      orderRun(form, b, 'addPartLine', input);
    } }, t(D, 'addPart'));
    form.append(el('div', { class: 'lookup' }, field(t(D, 'partNumber'), q), found),
      field(t(D, 'description'), el('input', { name: 'part.description', size: 16 })),
      field(t(D, 'qty'), el('input', { name: 'part.quantity', type: 'number', min: 1, value: 1, style: 'width:4.5rem' })),
      field(t(D, 'unit'), el('input', { name: 'part.unitPrice', inputmode: 'decimal', size: 7 })),
      field(t(D, 'forJob'), select('jobId', [['', t(D, 'noJob')], ...o.jobs.map((j) => [j.id, j.description])], o.jobs[0]?.id || '')), b);
    sec.append(form);
  }
  return sec;
}

function removeButton(o, which) {
  const b = el('button', { type: 'button', class: 'btn small danger', dataset: { action: 'removeOrderLine' }, onclick: () =>
    orderRun(b.closest('tr'), b, 'removeOrderLine', { orderId: o.id, expectedVersion: o.version, ...which }) }, t(D, 'remove'));
  return b;
}

function billSection(o) {
  const b = o.bill;
  const row = (k, m, cls) => el('tr', { class: cls || '' }, el('th', {}, t(D, k)), el('td', { class: 'num' }, money(m)));
  return el('section', { class: 'o-sec bill', dataset: { section: 'bill' } }, el('h3', {}, t(D, 'bill')),
    el('table', { class: 'bill-table' }, row('labour', b.labour), row('partsTotal', b.parts), row('total', b.total, 'total'),
      row('customerShare', b.customerShare), Number(b.warrantyShare.amount) ? row('warrantyShare', b.warrantyShare) : null,
      Number(b.insurerShare.amount) ? row('insurerShare', b.insurerShare) : null, Number(b.internalShare.amount) ? row('internalShare', b.internalShare) : null));
}

function termsSection(o) {
  const form = el('form', { class: 'desk-form', dataset: { order: o.id, section: 'terms' }, onsubmit: (e) => e.preventDefault() },
    el('div', { class: 'grid3' },
      field(t(D, 'payment'), select('paymentMethod', pairs(PAYMENTS), o.paymentMethod)),
      field(t(D, 'oldParts'), select('oldParts', pairs(OLDPARTS), o.oldParts)),
      el('label', { class: 'check' }, el('input', { type: 'checkbox', name: 'washRequested', checked: o.washRequested }), ' ', t(D, 'wash'))),
    field(t(D, 'findings'), el('textarea', { name: 'findings', rows: 2 }, o.findings)),
    el('div', { class: 'grid3' },
      el('label', { class: 'check' }, el('input', { type: 'checkbox', name: 'insuranceClaim', checked: o.insuranceClaim }), ' ', t(D, 'insurance')),
      field(t(D, 'insurer'), el('input', { name: 'insurerName', value: o.insurerName })),
      field(t(D, 'assessment'), el('input', { name: 'assessmentReference', value: o.assessmentReference }))));
  const b = el('button', { type: 'button', class: 'btn', dataset: { action: 'updateRepairOrder' }, onclick: () => orderRun(form, b, 'updateRepairOrder', {
    orderId: o.id, expectedVersion: o.version, paymentMethod: val(form, 'paymentMethod'), oldParts: val(form, 'oldParts'),
    washRequested: form.elements.washRequested.checked, findings: val(form, 'findings'), insuranceClaim: form.elements.insuranceClaim.checked,
    insurerName: val(form, 'insurerName'), assessmentReference: val(form, 'assessmentReference'),
  }) }, t(D, 'saveTerms'));
  form.append(el('div', { class: 'buttons' }, b));
  return form;
}

// signaturePad is a canvas the customer signs on with a finger, pen or mouse.
function signaturePad() {
  const canvas = el('canvas', { class: 'sig', width: 720, height: 200, 'aria-label': t(D, 'signHere'), tabindex: 0 });
  const ctx = canvas.getContext('2d');
  let drawing = false;
  let strokes = 0;
  const blank = () => {
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    ctx.fillStyle = '#9aa7b4';
    ctx.font = '22px sans-serif';
    ctx.fillText(t(D, 'signHere'), 16, 34);
    ctx.strokeStyle = '#c8d1db';
    ctx.beginPath();
    ctx.moveTo(16, 170);
    ctx.lineTo(canvas.width - 16, 170);
    ctx.stroke();
    strokes = 0;
  };
  const at = (e) => {
    const r = canvas.getBoundingClientRect();
    return [(e.clientX - r.left) * canvas.width / r.width, (e.clientY - r.top) * canvas.height / r.height];
  };
  canvas.addEventListener('pointerdown', (e) => {
    drawing = true;
    canvas.setPointerCapture(e.pointerId);
    ctx.strokeStyle = '#0b1d33';
    ctx.lineWidth = 3;
    ctx.lineCap = ctx.lineJoin = 'round';
    ctx.beginPath();
    ctx.moveTo(...at(e));
    e.preventDefault();
  });
  canvas.addEventListener('pointermove', (e) => {
    if (!drawing) return;
    ctx.lineTo(...at(e));
    ctx.stroke();
    strokes++;
  });
  const end = () => { drawing = false; };
  canvas.addEventListener('pointerup', end);
  canvas.addEventListener('pointercancel', end);
  blank();
  return { canvas, clear: blank, signed: () => strokes > 2, image: () => canvas.toDataURL('image/png') };
}

function signSection(o) {
  const pad = signaturePad();
  const form = el('form', { class: 'desk-form', dataset: { order: o.id, section: 'sign' }, onsubmit: (e) => e.preventDefault() },
    el('h3', {}, t(D, 'sign')), el('div', { class: 'sig-wrap' }, pad.canvas,
      el('button', { type: 'button', class: 'btn small', onclick: pad.clear }, t(D, 'clear'))),
    el('p', { class: 'muted' }, t(D, 'signatureKept')),
    el('div', { class: 'grid3' },
      field(t(D, 'signedBy'), el('input', { name: 'signedBy', value: o.visit.customer.name })),
      field(t(D, 'promised'), el('input', { name: 'promisedAt', type: 'datetime-local', value: toLocalInput(o.estimatedAt || o.promisedAt, tz()) }))));
  const b = el('button', { type: 'button', class: 'btn primary', dataset: { action: 'signRepairOrder' }, onclick: () => {
    clearErrors(form);
    if (!pad.signed()) return formError(form, t(D, 'needSignature'));
    const input = { orderId: o.id, expectedVersion: o.version, signedBy: val(form, 'signedBy') };
    const p = fromLocalInput(val(form, 'promisedAt'), tz());
    if (p) input.promisedAt = p;
    app.signatures[o.id] = pad.image();
    orderRun(form, b, 'signRepairOrder', input);
  } }, t(D, 'doSign'));
  form.append(el('div', { class: 'buttons' }, b));
  return form;
}

function handOverSection(o) {
  const form = el('form', { class: 'desk-form inline-form', dataset: { order: o.id, section: 'handover' }, onsubmit: (e) => e.preventDefault() },
    field(t(D, 'priority'), select('priority', pairs(PRIORITIES), 'NORMAL')));
  const b = el('button', { type: 'button', class: 'btn primary', dataset: { action: 'handOverRepairOrder' }, onclick: () =>
    orderRun(form, b, 'handOverRepairOrder', { orderId: o.id, expectedVersion: o.version, priority: val(form, 'priority') }) }, t(D, 'handOver'));
  form.append(b);
  return el('section', { class: 'o-sec' }, el('h3', {}, t(D, 'handOver')), form);
}

function cancelSection(o) {
  const form = el('form', { class: 'inline-form', dataset: { order: o.id, section: 'cancel' }, onsubmit: (e) => e.preventDefault() },
    field(t(D, 'cancelReason'), el('input', { name: 'reason', size: 30 })));
  const b = el('button', { type: 'button', class: 'btn danger', dataset: { action: 'cancelRepairOrder' }, onclick: () =>
    orderRun(form, b, 'cancelRepairOrder', { orderId: o.id, expectedVersion: o.version, reason: val(form, 'reason') }) }, t(D, 'cancel'));
  form.append(b);
  return el('details', { class: 'o-sec' }, el('summary', {}, t(D, 'cancel')), form);
}

function toldSection(o) {
  const form = el('form', { class: 'desk-form inline-form', dataset: { order: o.id, section: 'told' }, onsubmit: (e) => e.preventDefault() },
    field(t(D, 'newPromised'), el('input', { name: 'promisedAt', type: 'datetime-local', value: toLocalInput(o.promisedAt, tz()) })),
    field(t(D, 'reason'), el('input', { name: 'reason', size: 34 })));
  const b = el('button', { type: 'button', class: 'btn', dataset: { action: 'updateRepairOrder' }, onclick: () => {
    const input = { orderId: o.id, expectedVersion: o.version, reason: val(form, 'reason') };
    const p = fromLocalInput(val(form, 'promisedAt'), tz());
    if (p) input.promisedAt = p;
    orderRun(form, b, 'updateRepairOrder', input);
  } }, t(D, 'saveTold'));
  form.append(b);
  return el('section', { class: 'o-sec' }, el('h3', {}, t(D, 'told')), form);
}

// linkSection lets the advisor send the customer the approval link
// (sendApprovalLink) while additional work waits: the customer answers item
// by item on their phone; the link is shown once, to read out if asked.
function linkSection(o) {
  if (!o.additionalWork.some((aw) => aw.state === 'REQUESTED')) return null;
  const box = el('div', { class: 'aw-link', dataset: { order: o.id } });
  const b = el('button', { type: 'button', class: 'btn primary', dataset: { action: 'sendApprovalLink' }, onclick: async () => {
    clearErrors(box);
    b.disabled = true;
    try {
      const { sendApprovalLink: p } = await gql(`mutation SendApprovalLink($input: SendApprovalLinkInput!) {
        sendApprovalLink(input: $input) { url expiresAt userErrors { code field message } } }`, { input: { orderId: o.id } });
      if (p.userErrors.length) return formError(box, p.userErrors.map((e) => e.message).join(' '));
      box.querySelector('.link-sent')?.remove();
      box.append(el('div', { class: 'link-sent muted' }, t(D, 'linkSent'), el('a', { href: p.url, target: '_blank', rel: 'noopener' }, p.url)));
    } catch (e) {
      formError(box, e.message);
    } finally {
      b.disabled = false;
    }
  } }, t(D, 'sendLink'));
  box.append(b);
  return box;
}

function additionalSection(o) {
  return el('section', { class: 'o-sec', dataset: { section: 'additional' } }, el('h3', {}, t(D, 'additional')), linkSection(o),
    el('ul', { class: 'aw-list' }, o.additionalWork.map((aw) => {
      const li = el('li', { class: 'aw aw-' + aw.state.toLowerCase(), dataset: { additional: aw.id } },
        el('div', {}, aw.safety ? el('span', { class: 'chip blk-qc_failed' }, '⚠ ' + t(TEXT, 'safety')) : null, ' ',
          el('span', { class: 'strong' }, aw.description), ` · ${money(aw.total)} · +${duration(aw.extraMinutes)} · `, t(D.awState, aw.state)),
        el('div', { class: 'muted' }, aw.reason),
        aw.decidedAt ? el('div', { class: 'muted' }, `${app.clock.time(aw.decidedAt)} · ${aw.customerContact} · ${aw.contactMethod ? t(D.method, aw.contactMethod) : ''} ${aw.decisionNote}`) : null);
      if (aw.state === 'REQUESTED') {
        const form = el('form', { class: 'inline-form', dataset: { additional: aw.id }, onsubmit: (e) => e.preventDefault() },
          field(t(D, 'contact'), el('input', { name: 'customerContact', value: o.visit.customer.name, size: 10 })),
          field(t(D, 'contactMethod'), select('contactMethod', CONTACT.map((m) => [m, t(D.method, m)]), 'PHONE')),
          field(t(D, 'note'), el('input', { name: 'note', size: 14 })),
          field(t(D, 'newPromised'), el('input', { name: 'newPromisedAt', type: 'datetime-local' })));
        form.append(
          el('button', { type: 'button', class: 'btn ok', dataset: { action: 'approveAdditionalWork' }, onclick: (e) => decideExtra(form, e.target, aw, o, true) }, t(D, 'approve')),
          el('button', { type: 'button', class: 'btn danger', dataset: { action: 'declineAdditionalWork' }, onclick: (e) => decideExtra(form, e.target, aw, o, false) }, t(D, 'decline')));
        li.append(form);
      }
      return li;
    })));
}

async function decideExtra(form, button, aw, o, approve) {
  const input = { additionalWorkId: aw.id, expectedVersion: aw.version, customerContact: val(form, 'customerContact'), contactMethod: val(form, 'contactMethod') };
  if (val(form, 'note')) input.note = val(form, 'note');
  const np = form.elements.newPromisedAt ? fromLocalInput(val(form, 'newPromisedAt'), tz()) : '';
  if (approve && np) input.newPromisedAt = np;
  await run(form, button, approve ? 'approveAdditionalWork' : 'declineAdditionalWork', input, 'additionalWork { id state }', {
    onDone: () => { reloadOrdersSoon(0); if (app.desk.orderId === o.id) openOrder(o.id); },
    onConflict: () => { reloadOrdersSoon(0); if (app.desk.orderId === o.id) openOrder(o.id); },
  });
}

function deliverSection(o) {
  const items = o.visit.belongings;
  const boxes = items.length ? items.map((b, i) => el('label', { class: 'check' }, el('input', { type: 'checkbox', name: 'belonging', value: String(i) }), ' ', b))
    : [el('label', { class: 'check' }, el('input', { type: 'checkbox', name: 'belonging', value: 'none' }), ' ', t(D, 'noBelongings'))];
  const form = el('form', { class: 'desk-form', dataset: { order: o.id, visit: o.visit.id, section: 'deliver' }, onsubmit: (e) => e.preventDefault() },
    el('h3', {}, t(D, 'deliver')), el('p', { class: 'muted' }, t(D, 'checkBelongings')),
    el('div', { class: 'belongings', id: 'belongings' }, ...boxes, el('input', { type: 'hidden', name: 'belongingsChecked' })),
    el('div', { class: 'grid3' },
      field(t(D, 'nextDate'), el('input', { name: 'nextServiceDate', type: 'date' })),
      field(t(D, 'nextKm'), el('input', { name: 'nextServiceMileage', type: 'number', min: 0, step: 1000, value: o.visit.mileage + 5000 })),
      field(t(D, 'exitPass'), el('input', { name: 'exitPass' }))));
  const b = el('button', { type: 'button', class: 'btn primary', dataset: { action: 'deliverVehicle' }, onclick: () => {
    clearErrors(form);
    const all = [...form.querySelectorAll('input[name="belonging"]')].every((c) => c.checked);
    if (!all) return formError(form, t(D, 'needBelongings'));
    const input = { orderId: o.id, expectedVersion: o.version, belongingsChecked: true };
    if (val(form, 'nextServiceDate')) input.nextServiceDate = val(form, 'nextServiceDate');
    if (val(form, 'nextServiceMileage')) input.nextServiceMileage = intOrNull(val(form, 'nextServiceMileage'));
    if (val(form, 'exitPass')) input.exitPass = val(form, 'exitPass');
    orderRun(form, b, 'deliverVehicle', input);
  } }, t(D, 'doDeliver'));
  form.append(el('div', { class: 'buttons' }, b));
  return form;
}

// orderRun runs an order mutation from the open order: on success or
// CONFLICT the drawer shows the order as the server has it now.
function orderRun(scope, button, name, input) {
  return run(scope, button, name, input, PAYLOAD_ORDER, {
    onDone: (p) => {
      reloadOrdersSoon(0);
      if (p.repairOrder) renderOrderDesk(p.repairOrder);
    },
    onConflict: (p) => {
      if (!p.repairOrder) return;
      renderOrderDesk(p.repairOrder);
      return $('drawer-body').querySelector('.order-desk');
    },
  });
}

// ---- live -----------------------------------------------------------------

function onBoardUpdate(u) {
  if (u.capacity) {
    app.capacity = u.capacity;
    renderCapacity();
  }
  if (u.orderId && app.orders.has(u.orderId)) reloadOrdersSoon();
  if (u.orderId && u.orderId === app.desk.orderId) refreshOrder();
}

// eventKey names an event the same way whether it came from an order's
// timeline or from the feed.
const eventKey = (orderId, e) => `${orderId}|${e.kind}|${Date.parse(e.at)}`;

function onAdvisorUpdate(u) {
  const key = eventKey(u.orderId, u);
  if (!app.activity.some((a) => a.key === key)) app.activity.unshift({ ...u, key, fresh: true });
  app.activity.length = Math.min(app.activity.length, 200);
  renderActivity();
  reloadOrdersSoon();
  if (u.orderId && u.orderId === app.desk.orderId) refreshOrder();
}

async function loadBoard() {
  const { board } = await gql(BOARD_QUERY, { siteId: app.site.id });
  app.clock.sync(board.at);
  app.capacity = board.capacity;
  renderCapacity();
  return board.cursor;
}

function notice(msg) {
  $('notice').textContent = msg;
  $('notice').hidden = !msg;
}

async function start() {
  staticText();
  setConn('connecting');
  $('search-form').addEventListener('submit', (e) => {
    e.preventDefault();
    $('results').querySelector('li[data-customer]')?.click();
  });
  $('search').addEventListener('input', onSearchInput);
  $('search').addEventListener('keydown', (e) => e.key === 'Escape' && ($('results').hidden = true));
  $('est-min').addEventListener('input', estimateSoon);
  $('drawer-close').addEventListener('click', closeDrawer);
  addEventListener('keydown', (e) => e.key === 'Escape' && closeDrawer());
  $('reception-open').addEventListener('click', () => openReception());
  document.addEventListener('click', (e) => {
    if (!$('search-form').contains(e.target)) $('results').hidden = true;
  });
  if (!settings.token) {
    notice(t(TEXT, 'noToken'));
    setConn('error', 'token');
    fatal('noToken');
    return;
  }
  let cursor;
  for (let n = 0; ; n++) {
    try {
      ({ viewer: app.viewer } = await gql('query Me { viewer { id name role } }'));
      app.site = await pickSite();
      app.clock = new Clock(app.site.timeZone);
      settings.site = app.site.id; // the print pages open on this site
      $('who').textContent = `${app.viewer.name} · ${app.site.name}`;
      if (app.viewer.role === 'BOARD') {
        fatal('wrongRole', '', { r: app.viewer.role });
        setConn('error', app.viewer.role);
        return;
      }
      if (app.viewer.role !== 'ADVISOR') notice(t(TEXT, 'notAdvisor', { r: app.viewer.role }));
      cursor = await loadBoard();
      await loadOrders();
      break;
    } catch (e) {
      if (isAuthError(e)) setConn('unauthorized', e.message);
      else if (e instanceof GraphQLError && e.code === 'NOT_FOUND') setConn('error', e.message);
      await new Promise((r) => setTimeout(r, isAuthError(e) ? 30000 : backoff(n)));
    }
  }
  renderActivity();
  app.live = new Live({ onState: setConn });
  app.live.add({ field: 'boardFeed', query: BOARD_FEED, variables: { siteId: app.site.id }, cursor, onUpdate: onBoardUpdate, onReset: loadBoard });
  app.live.add({
    field: 'advisorFeed', query: ADVISOR_FEED, variables: { siteId: app.site.id }, cursor, onUpdate: onAdvisorUpdate,
    onReset: async () => {
      await loadOrders();
      return loadBoard();
    },
  });
  app.live.start();
  setInterval(() => {
    renderOrders();
    renderActivity();
  }, 30000);
}

start();
