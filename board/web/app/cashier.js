// The cashier (收银结算): cars ready for pick-up waiting to be settled, the
// itemised bill with its payer split (customer, warranty, insurer, dealer),
// payment, and the settlement and exit-pass print pages. Live: any change
// of an order on the site reloads the queue (and the open bill when it is
// that order's).
import { settings, t, gql, pickSite, isAuthError, backoff, Live, Clock, el, GraphQLError } from './common.js';
import { run, fatal, money, field, select, printURL } from './desk.js';

const TEXT = {
  title: { zh: '收银结算', en: 'Cashier' },
  queue: { zh: '待结算（竣工车辆）', en: 'To settle (ready cars)' },
  done: { zh: '今日已结算', en: 'Settled today' },
  none: { zh: '暂无。', en: 'None.' },
  pick: { zh: '请从左侧选择一辆车。', en: 'Pick a car on the left.' },
  live: { zh: '实时', en: 'Live' }, connecting: { zh: '正在连接…', en: 'Connecting…' }, reconnecting: { zh: '正在重新连接…', en: 'Reconnecting…' },
  unauthorized: { zh: '令牌无效', en: 'Token not accepted' }, error: { zh: '出错：{m}', en: 'Error: {m}' },
  job: { zh: '维修项目', en: 'Job' }, part: { zh: '配件', en: 'Part' }, qty: { zh: '数量', en: 'Qty' }, amount: { zh: '金额', en: 'Amount' }, payer: { zh: '付费方', en: 'Payer' },
  labour: { zh: '工时费', en: 'Labour' }, parts: { zh: '材料费', en: 'Parts' }, total: { zh: '合计', en: 'Total' },
  customerShare: { zh: '客户应付', en: 'Customer pays' }, dueNow: { zh: '本次应收', en: 'Due now' }, paid: { zh: '已收', en: 'Paid' }, warrantyShare: { zh: '厂家保修', en: 'Warranty' }, insurerShare: { zh: '保险公司', en: 'Insurer' }, internalShare: { zh: '内部承担', en: 'Dealer' },
  method: { zh: '付款方式', en: 'Payment method' }, reference: { zh: '收据 / 交易号', en: 'Receipt / transaction no.' }, assessment: { zh: '定损单号（保险车必填）', en: 'Insurer’s assessment no. (insurance cars)' },
  settle: { zh: '确认收款并结算', en: 'Take payment and settle' },
  settled: { zh: '已结算 {t} · {m} · {ref}', en: 'Settled {t} · {m} · {ref}' },
  print: { zh: '打印', en: 'Print' }, pSettlement: { zh: '结算单', en: 'Settlement' }, pExit: { zh: '出门证', en: 'Exit pass' },
  waitingDelivery: { zh: '待交车', en: 'to deliver' }, delivered: { zh: '已交车', en: 'delivered' },
  notCashier: { zh: '此令牌不是收银员（{r}）。', en: 'This token is not a cashier’s ({r}).' },
};
const PAYERS = { CUSTOMER: { zh: '客户', en: 'Customer' }, WARRANTY: { zh: '保修', en: 'Warranty' }, INSURER: { zh: '保险', en: 'Insurer' }, INTERNAL: { zh: '内部', en: 'Internal' } };
const PAYMENTS = { CASH: { zh: '现金', en: 'Cash' }, CARD: { zh: '银行卡', en: 'Card' }, WECHAT_PAY: { zh: '微信支付', en: 'WeChat Pay' }, ALIPAY: { zh: '支付宝', en: 'Alipay' }, BANK_TRANSFER: { zh: '转账', en: 'Transfer' }, NONE: { zh: '无需客户付款', en: 'Nothing to pay' } };

const M = 'amount currency';
const LIST = `query Cashier($s: ID!) { repairOrders(siteId: $s, states: [READY, SETTLED, DELIVERED], first: 100) { edges { node {
  id number state readyAt settledAt deliveredAt visit { customer { name phone } vehicle { plate make model } } bill { total { ${M} } customerShare { ${M} } } } } } }`;
const ORDER = `id number state version workType insuranceClaim insurerName assessmentReference paymentMethod readyAt settledAt
  visit { customer { name phone } vehicle { plate vin make model } }
  jobs { id description state labourMinutes labourPrice { ${M} } payer }
  partLines { id partNumber description quantity total { ${M} } payer }
  bill { labour { ${M} } parts { ${M} } total { ${M} } customerShare { ${M} } warrantyShare { ${M} } insurerShare { ${M} } internalShare { ${M} } }
  settlement { total { ${M} } customerShare { ${M} } paymentMethod paymentReference settledAt settledBy { name } }`;
const BOARD = 'query B($s: ID!) { board(siteId: $s) { cursor at } }';
const FEED = 'subscription F($siteId: ID!, $after: String) { boardFeed(siteId: $siteId, after: $after) { cursor reset kind orderId } }';

const $ = (id) => document.getElementById(id);
const app = { site: null, viewer: null, clock: new Clock(), orders: [], selected: null, live: null, loads: 0 };
window.bayboard = app;

function setConn(state, detail) {
  const c = $('conn');
  c.dataset.state = state;
  c.textContent = state === 'live' ? t(TEXT, 'live') : state === 'reconnecting' ? t(TEXT, 'reconnecting')
    : state === 'unauthorized' ? t(TEXT, 'unauthorized') : state === 'error' ? t(TEXT, 'error', { m: detail || '' }) : t(TEXT, 'connecting');
  document.body.dataset.conn = state;
  if (state === 'unauthorized') fatal('badToken', detail);
}

const ymd = (iso) => (iso ? app.clock.ymd.format(new Date(iso)) : '');

async function loadList() {
  const { repairOrders } = await gql(LIST, { s: app.site.id });
  app.loads++;
  app.orders = repairOrders.edges.map((e) => e.node);
  renderList();
}

function renderList() {
  const today = ymd(app.clock.now().toISOString());
  const waiting = app.orders.filter((o) => o.state === 'READY').sort((a, b) => Date.parse(a.readyAt) - Date.parse(b.readyAt));
  const done = app.orders.filter((o) => o.state !== 'READY' && ymd(o.settledAt) === today).sort((a, b) => Date.parse(b.settledAt) - Date.parse(a.settledAt));
  const item = (o) => el('li', { dataset: { order: o.id }, class: o.id === app.selected ? 'selected' : '', onclick: () => select_(o.id) },
    el('div', {}, el('span', { class: 'plate' }, o.visit.vehicle.plate), ` ${o.visit.vehicle.model} · ${o.visit.customer.name}`),
    el('div', { class: 'amount' }, money(o.bill.customerShare)),
    el('div', { class: 'muted' }, o.number, ' · ', o.state === 'READY' ? app.clock.time(o.readyAt) : app.clock.time(o.settledAt) + ' · ' + t(TEXT, o.state === 'DELIVERED' ? 'delivered' : 'waitingDelivery')));
  $('queue-title').textContent = `${t(TEXT, 'queue')} (${waiting.length})`;
  $('done-title').textContent = `${t(TEXT, 'done')} (${done.length})`;
  $('queue').replaceChildren(...(waiting.length ? waiting.map(item) : [el('li', { class: 'none' }, t(TEXT, 'none'))]));
  $('done').replaceChildren(...(done.length ? done.map(item) : [el('li', { class: 'none' }, t(TEXT, 'none'))]));
}

async function select_(id) {
  app.selected = id;
  renderList();
  const { repairOrder: o } = await gql(`query O($id: ID!) { repairOrder(id: $id) { ${ORDER} } }`, { id });
  if (app.selected === id && o) renderOrder(o);
}

function renderOrder(o) {
  const b = o.bill;
  const rows = [
    ...o.jobs.filter((j) => !['DECLINED', 'CANCELLED'].includes(j.state)).map((j) => el('tr', { dataset: { job: j.id } }, el('td', {}, t(TEXT, 'job')), el('td', {}, j.description), el('td', {}, ''), el('td', {}, t(PAYERS, j.payer)), el('td', { class: 'num' }, money(j.labourPrice)))),
    ...o.partLines.map((p) => el('tr', {}, el('td', {}, t(TEXT, 'part')), el('td', {}, `${p.partNumber} ${p.description}`), el('td', {}, String(p.quantity)), el('td', {}, t(PAYERS, p.payer)), el('td', { class: 'num' }, money(p.total)))),
  ];
  const share = (k, m) => el('div', { class: Number(m.amount) ? '' : 'zero' }, el('div', { class: 'label' }, t(TEXT, k)), el('div', { class: 'value' }, money(m)));
  const body = el('div', { class: 'settle', dataset: { order: o.id, state: o.state, version: o.version } },
    el('div', { class: 'o-title' }, el('span', { class: 'plate' }, o.visit.vehicle.plate), ` ${o.visit.vehicle.make} ${o.visit.vehicle.model}`, el('span', { class: 'muted' }, `${o.number} · ${o.visit.customer.name} ${o.visit.customer.phone}`)),
    el('table', { class: 'lines' }, el('thead', {}, el('tr', {}, ...['', '', t(TEXT, 'qty'), t(TEXT, 'payer'), t(TEXT, 'amount')].map((h) => el('th', {}, h)))), el('tbody', {}, rows)),
    el('div', { class: 'split' }, share('labour', b.labour), share('parts', b.parts), share('total', b.total)),
    el('div', { class: 'split payers' }, share('customerShare', b.customerShare), share('warrantyShare', b.warrantyShare), share('insurerShare', b.insurerShare), share('internalShare', b.internalShare)),
    el('div', { class: 'muted' }, t(TEXT, o.state === 'READY' ? 'dueNow' : 'paid')), el('div', { class: 'due-big', id: 'due' }, money(b.customerShare)));
  if (o.state === 'READY') {
    const form = el('form', { class: 'desk-form', dataset: { order: o.id }, onsubmit: (e) => e.preventDefault() },
      el('div', { class: 'pay' },
        field(t(TEXT, 'method'), select('paymentMethod', Object.keys(PAYMENTS).map((k) => [k, t(PAYMENTS, k)]), Number(b.customerShare.amount) ? (o.paymentMethod === 'NONE' ? 'WECHAT_PAY' : o.paymentMethod) : 'NONE')),
        field(t(TEXT, 'reference'), el('input', { name: 'paymentReference' })),
        o.insuranceClaim ? field(t(TEXT, 'assessment'), el('input', { name: 'assessmentReference', value: o.assessmentReference })) : el('div')));
    const btn = el('button', { type: 'button', class: 'btn primary', dataset: { action: 'settleRepairOrder' }, onclick: () => {
      const input = { orderId: o.id, expectedVersion: o.version, paymentMethod: form.elements.paymentMethod.value, paymentReference: form.elements.paymentReference.value.trim() };
      if (form.elements.assessmentReference?.value.trim()) input.assessmentReference = form.elements.assessmentReference.value.trim();
      run(form, btn, 'settleRepairOrder', input, `repairOrder { ${ORDER} }`, {
        onDone: (p) => { renderOrder(p.repairOrder); loadList(); },
        onConflict: (p) => { if (p.repairOrder) renderOrder(p.repairOrder); loadList(); return $('settle').firstElementChild; },
      });
    } }, t(TEXT, 'settle'));
    form.append(el('div', { class: 'buttons' }, btn));
    body.append(form);
  }
  if (o.settlement) {
    const s = o.settlement;
    body.append(el('p', { class: 'ok-note' }, t(TEXT, 'settled', { t: app.clock.time(s.settledAt), m: t(PAYMENTS, s.paymentMethod), ref: s.paymentReference || '—' })),
      el('div', { class: 'print-links' }, el('span', { class: 'muted' }, t(TEXT, 'print') + '：'),
        el('a', { href: printURL('settlement', o.id), target: '_blank', rel: 'opener', dataset: { print: 'settlement' } }, t(TEXT, 'pSettlement')),
        el('a', { href: printURL('exitpass', o.id), target: '_blank', rel: 'opener', dataset: { print: 'exitpass' } }, t(TEXT, 'pExit'))));
  }
  $('settle').replaceChildren(body);
}

let timer = null;
function onUpdate(u) {
  clearTimeout(timer);
  timer = setTimeout(() => loadList().catch(() => {}), 150);
  if (u.orderId && u.orderId === app.selected && !document.activeElement?.closest?.('#settle form')) select_(app.selected).catch(() => {});
}

async function loadBoard() {
  const { board } = await gql(BOARD, { s: app.site.id });
  app.clock.sync(board.at);
  return board.cursor;
}

async function start() {
  $('title').textContent = t(TEXT, 'title');
  document.title = t(TEXT, 'title') + ' · Bayboard';
  $('settle').replaceChildren(el('p', { class: 'muted' }, t(TEXT, 'pick')));
  setConn('connecting');
  if (!settings.token) return fatal('noToken');
  let cursor;
  for (let n = 0; ; n++) {
    try {
      ({ viewer: app.viewer } = await gql('query Me { viewer { id name role } }'));
      if (!['CASHIER', 'SERVICE_MANAGER', 'ADMIN', 'ADVISOR'].includes(app.viewer.role)) return fatal('wrongRole', '', { r: app.viewer.role });
      app.site = await pickSite();
      app.clock = new Clock(app.site.timeZone);
      settings.site = app.site.id; // the print pages open on this site
      $('who').textContent = `${app.viewer.name} · ${app.site.name}`;
      cursor = await loadBoard();
      $('today').textContent = app.clock.date.format(app.clock.now());
      await loadList();
      break;
    } catch (e) {
      if (isAuthError(e)) setConn('unauthorized', e.message);
      else if (e instanceof GraphQLError && e.code === 'NOT_FOUND') setConn('error', e.message);
      await new Promise((r) => setTimeout(r, isAuthError(e) ? 30000 : backoff(n)));
    }
  }
  app.live = new Live({ onState: setConn });
  app.live.add({ field: 'boardFeed', query: FEED, variables: { siteId: app.site.id }, cursor, onUpdate,
    onReset: async () => { await loadList(); return loadBoard(); } });
  app.live.start();
  setInterval(renderList, 60000);
}

start();
