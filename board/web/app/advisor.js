// The advisor screen (服务顾问): my open visits, live; what needs me now;
// customer search with the full history; the workshop's free hours for
// promising a completion time.
import { settings, t, gql, pickSite, isAuthError, backoff, Live, Clock, duration, el, GraphQLError, eventText } from './common.js';

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
      additionalWork { id state description extraMinutes safety requestedAt decidedAt total { amount currency } }
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

const money = (m) => (m ? (m.currency === 'CNY' ? '¥' : m.currency + ' ') + m.amount : '');
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
    return el('tr', { class: [late > 0 && !ready && 'is-late', o.state === 'READY' && 'is-ready'].filter(Boolean).join(' '), dataset: { order: o.id }, onclick: () => openCustomer(o.visit.customer.id) },
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
        items.push({ rank: 0, cls: 'urgent', order: o, title: t(TEXT, 'approvalAsk', { car }),
          sub: (aw.safety ? '⚠ ' + t(TEXT, 'safety') + ' · ' : '') + t(TEXT, 'approvalAskSub', { desc: aw.description, price: money(aw.total), extra: duration(aw.extraMinutes) }),
          at: aw.requestedAt });
      } else if (aw.decidedAt && now - Date.parse(aw.decidedAt) < 2 * 3600e3) {
        items.push({ rank: 3, cls: 'info', order: o, title: t(TEXT, 'approvalAnswered', { car }),
          sub: `${aw.description}: ${t(TEXT, aw.state === 'APPROVED' ? 'approved' : 'declined')}`, at: aw.decidedAt });
      }
    }
    if (o.state === 'READY' && o.notifyBy) {
      const over = (now - Date.parse(o.notifyBy)) / 60000;
      items.push({ rank: over > 0 ? 0 : 1, cls: over > 0 ? 'urgent' : 'warn', order: o, title: t(TEXT, 'ready', { car }),
        sub: over > 0 ? t(TEXT, 'notifyOverdue', { d: duration(over) }) : t(TEXT, 'notify', { t: app.clock.time(o.notifyBy) }), at: o.notifyBy });
    }
    const late = minutesLate(o, now);
    if (!o.readyAt && o.promisedAt && late > 0 && o.state !== 'DRAFT') {
      items.push({ rank: 1, cls: 'urgent', order: o, title: t(TEXT, 'late', { d: duration(late), car }), sub: t(TEXT, 'lateSub'), at: o.promisedAt });
    }
    if (o.blockers.includes('QC_FAILED')) items.push({ rank: 2, cls: 'warn', order: o, title: t(TEXT, 'qcFailed', { car }), sub: o.number, at: o.stageSince });
    if (o.blockers.includes('WAITING_PARTS')) items.push({ rank: 4, cls: 'info', order: o, title: t(TEXT, 'parts', { car }), sub: o.number, at: o.stageSince });
  }
  items.sort((a, b) => a.rank - b.rank || Date.parse(a.at) - Date.parse(b.at));
  $('needs-title').textContent = `${t(TEXT, 'needsTitle')} (${items.filter((i) => i.cls !== 'info').length})`;
  $('needs').replaceChildren(...(items.length ? items.map((i) => el('li', { class: 'need ' + i.cls, dataset: { order: i.order.id }, onclick: () => openCustomer(i.order.visit.customer.id) },
    el('div', { class: 'need-title' }, i.title),
    el('div', { class: 'need-sub' }, i.sub, ' · ', i.order.visit.customer.name, ' ', i.order.visit.customer.phone)))
    : [el('li', { class: 'none' }, t(TEXT, 'needsNone'))]));
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
      el('span', { class: 'plate' }, v.plate), ` ${v.make} ${v.model}`, v.year ? ` ${v.year}` : '', v.colour ? ` · ${v.colour}` : '',
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

// ---- live -----------------------------------------------------------------

function onBoardUpdate(u) {
  if (u.capacity) {
    app.capacity = u.capacity;
    renderCapacity();
  }
  if (u.orderId && app.orders.has(u.orderId)) reloadOrdersSoon();
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
  $('drawer-close').addEventListener('click', () => ($('drawer').hidden = true));
  addEventListener('keydown', (e) => e.key === 'Escape' && ($('drawer').hidden = true));
  document.addEventListener('click', (e) => {
    if (!$('search-form').contains(e.target)) $('results').hidden = true;
  });
  if (!settings.token) {
    notice(t(TEXT, 'noToken'));
    setConn('error', 'token');
    return;
  }
  let cursor;
  for (let n = 0; ; n++) {
    try {
      ({ viewer: app.viewer } = await gql('query Me { viewer { id name role } }'));
      app.site = await pickSite();
      app.clock = new Clock(app.site.timeZone);
      $('who').textContent = `${app.viewer.name} · ${app.site.name}`;
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
