// The cashier (收银结算): cars ready for pick-up waiting to be settled, the
// itemised bill with its payer split (customer, warranty, insurer, dealer),
// the discount and the service manager's sign-off, the deposit credited,
// part payment, account customers (签单), the invoice number; after
// settlement the balance still owed and the receivables it opened; a
// receivables tab (应收款) with ageing. Live: any change of an order on the
// site reloads the queue (and the open bill when it is that order's).
//
// Amounts are added up in fen (Money.minorUnits), never in floating yuan;
// what the screen shows before settlement is a preview, the server prices
// the settlement itself (shop.PriceSettlement) and may refuse it.
import { settings, t, gql, pickSite, isAuthError, backoff, Live, Clock, el, GraphQLError } from './common.js';
import { run, fatal, money, field, select, printURL, formError } from './desk.js';

const TEXT = {
  title: { zh: '收银结算', en: 'Cashier' },
  tabSettle: { zh: '结算', en: 'Settle' }, tabReceivables: { zh: '应收款', en: 'Receivables' },
  queue: { zh: '待结算（竣工车辆）', en: 'To settle (ready cars)' },
  done: { zh: '今日已结算', en: 'Settled today' },
  owing: { zh: '已结算·客户尚欠款', en: 'Settled, customer still owes' },
  none: { zh: '暂无。', en: 'None.' },
  pick: { zh: '请从左侧选择一辆车。', en: 'Pick a car on the left.' },
  live: { zh: '实时', en: 'Live' }, connecting: { zh: '正在连接…', en: 'Connecting…' }, reconnecting: { zh: '正在重新连接…', en: 'Reconnecting…' },
  unauthorized: { zh: '令牌无效', en: 'Token not accepted' }, error: { zh: '出错：{m}', en: 'Error: {m}' },
  job: { zh: '维修项目', en: 'Job' }, part: { zh: '配件', en: 'Part' }, qty: { zh: '数量', en: 'Qty' }, amount: { zh: '金额', en: 'Amount' }, payer: { zh: '付费方', en: 'Payer' },
  labour: { zh: '工时费', en: 'Labour' }, parts: { zh: '材料费', en: 'Parts' }, total: { zh: '合计', en: 'Total' }, billTotal: { zh: '账单合计', en: 'Bill' },
  customerShare: { zh: '客户承担', en: 'Customer’s share' }, warrantyShare: { zh: '厂家保修', en: 'Warranty' }, insurerShare: { zh: '保险公司', en: 'Insurer' }, internalShare: { zh: '内部承担', en: 'Dealer' },
  discount: { zh: '折扣', en: 'Discount' }, discountBy: { zh: '{who}批准：{why}', en: 'approved by {who}: {why}' },
  deposit: { zh: '预约定金抵扣', en: 'Deposit credited' }, depositHint: { zh: '（预约时已收）', en: '(taken at booking)' },
  depositRefund: { zh: '定金退还', en: 'Deposit to give back' },
  accountShare: { zh: '挂账（签单）', en: 'On account' },
  dueNow: { zh: '本次应收', en: 'Due now' }, paid: { zh: '已收', en: 'Paid' }, balance: { zh: '尚欠', en: 'Still owed' },
  amountPaid: { zh: '本次实收', en: 'Paid now' }, amountPaidHint: { zh: '可部分付款，余款交车前收清', en: 'Part payment allowed; the rest before delivery' },
  method: { zh: '付款方式', en: 'Payment method' }, reference: { zh: '收据 / 交易号', en: 'Receipt / transaction no.' }, assessment: { zh: '定损单号（保险车必填）', en: 'Insurer’s assessment no. (insurance cars)' },
  invoice: { zh: '发票号', en: 'Invoice no.' }, invoiceHint: { zh: '可结算后补录', en: 'May be recorded later' },
  account: { zh: '挂账（签单）：额度 {limit}，已用 {used}，可用 {free}', en: 'Charge to account (签单): limit {limit}, used {used}, available {free}' },
  settle: { zh: '确认收款并结算', en: 'Take payment and settle' },
  signOffNeeded: { zh: '账单 {total} 超过 {limit}：需服务经理签字确认后才能结算。', en: 'The bill of {total} is over {limit}: it needs the service manager’s sign-off before settlement.' },
  signOffStale: { zh: '服务经理确认的是 {signed}，账单现为 {total}：需重新签字确认。', en: 'The service manager signed off {signed}, the bill is now {total}: it needs a new sign-off.' },
  signedOff: { zh: '服务经理 {who} 已签字确认 {total}', en: 'Signed off by the service manager {who} ({total})' },
  signOff: { zh: '服务经理签字确认', en: 'Sign off as service manager' },
  blocked: { zh: '不能结算：{why}', en: 'Cannot settle: {why}' },
  discountTitle: { zh: '折扣审批', en: 'Discount approval' }, discountAmount: { zh: '折扣金额', en: 'Discount' }, discountReason: { zh: '折扣原因', en: 'Reason' },
  discountLimit: { zh: '您可批准最多 {limit}', en: 'You may approve up to {limit}' },
  discountWho: { zh: '折扣须由服务顾问（5%以内，最多¥500）或服务经理（30%以内）用本人账号批准。', en: 'A discount is approved by the advisor (up to 5%, at most ¥500) or the service manager (up to 30%), with their own token.' },
  approveDiscount: { zh: '批准折扣', en: 'Approve discount' },
  settled: { zh: '已结算 {t} · {who}', en: 'Settled {t} · {who}' },
  payments: { zh: '收款记录', en: 'Payments' },
  recordPayment: { zh: '收取余款', en: 'Take the rest' },
  recordInvoice: { zh: '登记发票号', en: 'Record invoice no.' },
  opened: { zh: '本次结算产生的应收款', en: 'Receivables this settlement opened' },
  allPaid: { zh: '客户已付清，可交车。', en: 'Paid in full: the car may be delivered.' },
  owes: { zh: '客户尚欠 {m}，付清后才能交车。', en: 'The customer still owes {m}; the car is delivered once it is paid.' },
  print: { zh: '打印', en: 'Print' }, pSettlement: { zh: '结算单', en: 'Settlement' }, pExit: { zh: '出门证', en: 'Exit pass' },
  waitingDelivery: { zh: '待交车', en: 'to deliver' }, delivered: { zh: '已交车', en: 'delivered' },
  badAmount: { zh: '请输入金额，如 120 或 120.50。', en: 'Enter an amount such as 120 or 120.50.' },
  ageing: { zh: '账龄', en: 'Ageing' }, openReceivables: { zh: '未收应收款', en: 'Open receivables' },
  count: { zh: '笔数', en: 'Count' }, debtor: { zh: '欠款方', en: 'Owed by' }, order: { zh: '委托书', en: 'Order' },
  openedAt: { zh: '结算日', en: 'Settled' }, ageDays: { zh: '天数', en: 'Days' }, received: { zh: '已收', en: 'Paid' },
  payReceivable: { zh: '登记收款', en: 'Record payment' }, remittance: { zh: '汇款 / 转账单号', en: 'Remittance ref.' },
  noMoney: { zh: '此令牌看不到应收款。', en: 'This token cannot see receivables.' },
};
const PAYERS = { CUSTOMER: { zh: '客户', en: 'Customer' }, WARRANTY: { zh: '保修', en: 'Warranty' }, INSURER: { zh: '保险', en: 'Insurer' }, INTERNAL: { zh: '内部', en: 'Internal' } };
const RPAYERS = { INSURER: { zh: '保险公司', en: 'Insurer' }, WARRANTY: { zh: '厂家（索赔）', en: 'Maker (warranty)' }, ACCOUNT: { zh: '签单客户', en: 'Account customer' } };
const BUCKETS = { DAYS_0_30: '0–30', DAYS_31_60: '31–60', DAYS_61_90: '61–90', OVER_90: '>90' };
const PAYMENTS = { CASH: { zh: '现金', en: 'Cash' }, CARD: { zh: '银行卡', en: 'Card' }, WECHAT_PAY: { zh: '微信支付', en: 'WeChat Pay' }, ALIPAY: { zh: '支付宝', en: 'Alipay' }, BANK_TRANSFER: { zh: '转账', en: 'Transfer' }, NONE: { zh: '无需客户付款', en: 'Nothing to pay' } };
const REAL_METHODS = Object.keys(PAYMENTS).filter((k) => k !== 'NONE');
// SIGN_OFF_OVER is shop.SignOffThreshold in fen: a bill over it needs the
// service manager's sign-off. DISCOUNT_ROLES may approve a discount.
const SIGN_OFF_OVER = 10_000_00;
const DISCOUNT_ROLES = ['ADVISOR', 'SERVICE_MANAGER', 'ADMIN'];

const M = 'amount minorUnits currency';
const LIST = `query Cashier($s: ID!) { repairOrders(siteId: $s, states: [READY, SETTLED, DELIVERED], first: 100) { edges { node {
  id number state readyAt settledAt deliveredAt visit { customer { name phone } vehicle { plate make model } } bill { total { ${M} } customerShare { ${M} } }
  settlement { balanceDue { ${M} } } } } } }`;
const ORDER = `id number state version workType insuranceClaim insurerName assessmentReference paymentMethod readyAt settledAt
  visit { customer { id name phone } vehicle { plate vin make model } appointment { deposit { ${M} } } }
  jobs { id description state labourMinutes labourPrice { ${M} } payer }
  partLines { id partNumber description quantity total { ${M} } payer }
  bill { labour { ${M} } parts { ${M} } total { ${M} } customerShare { ${M} } warrantyShare { ${M} } insurerShare { ${M} } internalShare { ${M} } }
  approvals { kind amount { ${M} } reason approvedBy { name } approverRole approvedAt }
  settlement { labour { ${M} } parts { ${M} } total { ${M} } customerShare { ${M} } warrantyShare { ${M} } insurerShare { ${M} } internalShare { ${M} }
    discount { ${M} } discountReason discountApprovedBy { name } accountShare { ${M} } depositCredited { ${M} } depositRefund { ${M} }
    paid { ${M} } balanceDue { ${M} } invoiceNumber signedOffBy { name } paymentMethod paymentReference settledAt settledBy { name }
    payments { amount { ${M} } method reference receivedAt receivedBy { name } }
    receivables { id payer debtor amount { ${M} } paid { ${M} } balance { ${M} } } }`;
const RECEIVABLES = `query R($s: ID!) {
  insurer: receivablesAgeing(siteId: $s, payer: INSURER) { ...A } warranty: receivablesAgeing(siteId: $s, payer: WARRANTY) { ...A } account: receivablesAgeing(siteId: $s, payer: ACCOUNT) { ...A }
  receivables(siteId: $s, outstandingOnly: true) { id payer debtor customer { name } repairOrder { id number visit { vehicle { plate } } }
    amount { ${M} } paid { ${M} } balance { ${M} } ageDays ageBucket openedAt version } }
  fragment A on ReceivablesAgeing { payer buckets { bucket amount { ${M} } } total { ${M} } count }`;
const BOARD = 'query B($s: ID!) { board(siteId: $s) { cursor at } }';
const FEED = 'subscription F($siteId: ID!, $after: String) { boardFeed(siteId: $siteId, after: $after) { cursor reset kind orderId } }';

const $ = (id) => document.getElementById(id);
const app = { site: null, viewer: null, clock: new Clock(), orders: [], selected: null, live: null, loads: 0, tab: 'settle' };
window.bayboard = app;

// fen builds a Money of the page's currency from minor units.
const fen = (n, currency = 'CNY') => ({ amount: (n / 100).toFixed(2), minorUnits: n, currency });
const mu = (m) => (m ? Number(m.minorUnits) : 0);

// readAmount reads a yuan amount typed by the cashier as a Decimal string,
// or null when it is not one.
function readAmount(input) {
  const v = input.value.trim().replace(/[¥,，\s]/g, '');
  return /^\d{1,9}(\.\d{1,2})?$/.test(v) ? v : null;
}

// badAmount marks an amount field the way a userError would.
function badAmount(scope, input) {
  input.setAttribute('aria-invalid', 'true');
  input.insertAdjacentElement('afterend', el('div', { class: 'field-error', role: 'alert', dataset: { code: 'INVALID', field: input.name } }, t(TEXT, 'badAmount')));
}

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
  // Settled cars still owing stay in sight whatever the day: the car is not delivered before.
  const owing = app.orders.filter((o) => o.state === 'SETTLED' && mu(o.settlement?.balanceDue) > 0);
  const done = app.orders.filter((o) => o.state !== 'READY' && !owing.includes(o) && ymd(o.settledAt) === today).sort((a, b) => Date.parse(b.settledAt) - Date.parse(a.settledAt));
  const item = (o) => el('li', { dataset: { order: o.id }, class: o.id === app.selected ? 'selected' : '', onclick: () => select_(o.id) },
    el('div', {}, el('span', { class: 'plate' }, o.visit.vehicle.plate), ` ${o.visit.vehicle.model} · ${o.visit.customer.name}`),
    el('div', { class: 'amount' }, money(o.settlement && mu(o.settlement.balanceDue) > 0 ? o.settlement.balanceDue : o.bill.customerShare)),
    el('div', { class: 'muted' }, o.number, ' · ', o.state === 'READY' ? app.clock.time(o.readyAt) : app.clock.time(o.settledAt) + ' · ' + t(TEXT, o.state === 'DELIVERED' ? 'delivered' : 'waitingDelivery')));
  const fill = (list, title, key, items) => {
    $(title).textContent = `${t(TEXT, key)} (${items.length})`;
    $(list).replaceChildren(...(items.length ? items.map(item) : [el('li', { class: 'none' }, t(TEXT, 'none'))]));
  };
  fill('queue', 'queue-title', 'queue', waiting);
  fill('owing', 'owing-title', 'owing', owing);
  $('owing-title').hidden = $('owing').hidden = !owing.length;
  fill('done', 'done-title', 'done', done);
}

async function select_(id) {
  app.selected = id;
  renderList();
  const { repairOrder: o } = await gql(`query O($id: ID!) { repairOrder(id: $id) { ${ORDER} } }`, { id });
  if (app.selected !== id || !o) return;
  renderOrder(o, await loadAccount(o));
}

// loadAccount reads the customer's account (签单) and what it owes now, when
// they have one and the bill is still to settle; null otherwise. A token
// that may not see receivables (an advisor) gets the limit without "used".
async function loadAccount(o) {
  if (o.state !== 'READY') return null;
  const customerId = o.visit.customer.id;
  const { customerAccount: a } = await gql(`query A($c: ID!) { customerAccount(customerId: $c) { creditLimit { ${M} } } }`, { c: customerId });
  if (!a) return null;
  try {
    const { receivables } = await gql(`query U($s: ID!, $c: ID!) { receivables(siteId: $s, payer: ACCOUNT, customerId: $c, outstandingOnly: true) { balance { ${M} } } }`, { s: app.site.id, c: customerId });
    return { limit: mu(a.creditLimit), used: receivables.reduce((n, r) => n + mu(r.balance), 0) };
  } catch (e) {
    if (!isAuthError(e)) throw e;
    return { limit: mu(a.creditLimit), used: null };
  }
}

const share = (k, m, extra) => el('div', { class: mu(m) ? '' : 'zero' }, el('div', { class: 'label' }, t(TEXT, k)), el('div', { class: 'value' }, money(m)), extra ? el('div', { class: 'muted' }, extra) : null);
const sumRow = (k, m, { sign = '', note = '', cls = '' } = {}) => el('tr', { class: cls, dataset: { sum: k } },
  el('th', {}, t(TEXT, k)), el('td', { class: 'num' }, sign + money(m)), el('td', { class: 'muted' }, note));

function renderOrder(o, account) {
  const b = o.bill;
  const rows = [
    ...o.jobs.filter((j) => !['DECLINED', 'CANCELLED'].includes(j.state)).map((j) => el('tr', { dataset: { job: j.id } }, el('td', {}, t(TEXT, 'job')), el('td', {}, j.description), el('td', {}, ''), el('td', {}, t(PAYERS, j.payer)), el('td', { class: 'num' }, money(j.labourPrice)))),
    ...o.partLines.map((p) => el('tr', {}, el('td', {}, t(TEXT, 'part')), el('td', {}, `${p.partNumber} ${p.description}`), el('td', {}, String(p.quantity)), el('td', {}, t(PAYERS, p.payer)), el('td', { class: 'num' }, money(p.total)))),
  ];
  const src = o.settlement || b;
  const body = el('div', { class: 'settle', dataset: { order: o.id, state: o.state, version: o.version } },
    el('div', { class: 'o-title' }, el('span', { class: 'plate' }, o.visit.vehicle.plate), ` ${o.visit.vehicle.make} ${o.visit.vehicle.model}`, el('span', { class: 'muted' }, `${o.number} · ${o.visit.customer.name} ${o.visit.customer.phone}`)),
    el('table', { class: 'lines' }, el('thead', {}, el('tr', {}, ...['', '', t(TEXT, 'qty'), t(TEXT, 'payer'), t(TEXT, 'amount')].map((h) => el('th', {}, h)))), el('tbody', {}, rows)),
    el('div', { class: 'split' }, share('labour', src.labour), share('parts', src.parts), share('total', b.total)),
    el('div', { class: 'split payers', dataset: { section: 'payers' } }, share('customerShare', b.customerShare), share('warrantyShare', src.warrantyShare),
      share('insurerShare', src.insurerShare, o.insurerName || ''), share('internalShare', src.internalShare)));
  if (o.state === 'READY') body.append(...settleForm(o, account));
  if (o.settlement) body.append(...settledView(o));
  $('settle').replaceChildren(body);
}

// approval returns the order's approval of a kind, or null.
const approval = (o, kind) => o.approvals.find((a) => a.kind === kind) || null;

// signOffState says whether the bill may be settled as far as the sign-off
// goes: { needed, ok, text } (shop.CheckSignOff, shown before the server says it).
function signOffState(o) {
  const total = mu(o.bill.total);
  if (total <= SIGN_OFF_OVER) return { needed: false, ok: true };
  const s = approval(o, 'SIGN_OFF');
  if (s && mu(s.amount) === total) return { needed: true, ok: true, text: t(TEXT, 'signedOff', { who: s.approvedBy?.name || '', total: money(s.amount) }) };
  if (s) return { needed: true, ok: false, text: t(TEXT, 'signOffStale', { signed: money(s.amount), total: money(o.bill.total) }) };
  return { needed: true, ok: false, text: t(TEXT, 'signOffNeeded', { total: money(o.bill.total), limit: money(fen(SIGN_OFF_OVER)) }) };
}

// discountLimit is shop.DiscountLimit for the viewer, in fen.
function discountLimit(owed) {
  switch (app.viewer.role) {
    case 'ADVISOR': return Math.min(Math.floor(owed * 5 / 100), 500_00);
    case 'SERVICE_MANAGER': case 'ADMIN': return Math.floor(owed * 30 / 100);
  }
  return 0;
}

function settleForm(o, account) {
  const b = o.bill;
  const out = [];
  const share = mu(b.customerShare);
  const disc = approval(o, 'DISCOUNT');
  const discount = disc && mu(disc.amount) <= share ? mu(disc.amount) : 0;
  const owed = share - discount;
  const deposit = Math.min(mu(o.visit.appointment?.deposit), Math.max(owed, 0));
  const due = owed - deposit;
  const sums = el('table', { class: 'sums', dataset: { section: 'sums' } },
    sumRow('customerShare', b.customerShare),
    disc ? sumRow('discount', fen(discount), { sign: '− ', note: t(TEXT, 'discountBy', { who: disc.approvedBy?.name || '', why: disc.reason }) }) : null,
    deposit ? sumRow('deposit', fen(deposit), { sign: '− ', note: t(TEXT, 'depositHint') }) : null,
    sumRow('dueNow', fen(due), { cls: 'grand' }));
  out.push(sums);

  // The sign-off: a bill over ¥10,000 is not settled without it.
  const so = signOffState(o);
  if (so.needed) {
    const box = el('div', { class: so.ok ? 'signoff ok-note' : 'signoff needs', dataset: { section: 'signoff', signedOff: so.ok ? '1' : '0' }, role: so.ok ? null : 'alert' }, so.text);
    if (!so.ok && app.viewer.role === 'SERVICE_MANAGER') {
      const btn = el('button', { type: 'button', class: 'btn primary', dataset: { action: 'signOffBill' }, onclick: () => run(box, btn, 'signOffBill', { orderId: o.id }, 'approval { kind }', { onDone: () => select_(o.id) }) }, t(TEXT, 'signOff'));
      box.append(' ', btn);
    }
    out.push(box);
  }

  // The discount: approved with the approver's own token.
  const dForm = el('form', { class: 'desk-form discount', dataset: { order: o.id, section: 'discount' }, onsubmit: (e) => e.preventDefault() },
    el('h3', {}, t(TEXT, 'discountTitle')));
  if (DISCOUNT_ROLES.includes(app.viewer.role)) {
    const limit = discountLimit(share);
    const amt = el('input', { name: 'amount', inputmode: 'decimal', placeholder: '0.00', value: disc ? disc.amount.amount : '' });
    const why = el('input', { name: 'reason', value: disc?.reason || '' });
    const btn = el('button', { type: 'button', class: 'btn', dataset: { action: 'approveDiscount' }, onclick: () => {
      const v = readAmount(amt);
      if (v === null) return (dForm.querySelectorAll('.field-error').forEach((e) => e.remove()), badAmount(dForm, amt));
      run(dForm, btn, 'approveDiscount', { orderId: o.id, amount: v, reason: why.value.trim() }, 'approval { kind }', { onDone: () => select_(o.id) });
    } }, t(TEXT, 'approveDiscount'));
    dForm.append(el('div', { class: 'pay' }, field(t(TEXT, 'discountAmount'), amt, t(TEXT, 'discountLimit', { limit: money(fen(limit)) })), field(t(TEXT, 'discountReason'), why), el('div', { class: 'buttons' }, btn)));
  } else {
    dForm.append(el('p', { class: 'muted' }, t(TEXT, 'discountWho')));
  }
  out.push(dForm);

  // Payment.
  const form = el('form', { class: 'desk-form', dataset: { order: o.id, section: 'pay' }, onsubmit: (e) => e.preventDefault() });
  const paidIn = el('input', { name: 'amountPaid', inputmode: 'decimal', value: fen(Math.max(due, 0)).amount });
  const method = select('paymentMethod', Object.keys(PAYMENTS).map((k) => [k, t(PAYMENTS, k)]), due > 0 ? (o.paymentMethod === 'NONE' ? 'WECHAT_PAY' : o.paymentMethod) : 'NONE');
  const grid = el('div', { class: 'pay' },
    field(t(TEXT, 'amountPaid'), paidIn, t(TEXT, 'amountPaidHint')),
    field(t(TEXT, 'method'), method),
    field(t(TEXT, 'reference'), el('input', { name: 'paymentReference' })),
    field(t(TEXT, 'invoice'), el('input', { name: 'invoiceNumber' }), t(TEXT, 'invoiceHint')),
    o.insuranceClaim ? field(t(TEXT, 'assessment'), el('input', { name: 'assessmentReference', value: o.assessmentReference })) : null);
  form.append(grid);
  if (account) {
    const free = account.used === null ? null : account.limit - account.used;
    const cb = el('input', { type: 'checkbox', name: 'chargeToAccount', onchange: () => {
      paidIn.disabled = cb.checked;
      if (cb.checked) paidIn.value = '0.00';
      else paidIn.value = fen(Math.max(due, 0)).amount;
    } });
    form.append(el('label', { class: 'check account' }, cb, ' ', t(TEXT, 'account', { limit: money(fen(account.limit)), used: account.used === null ? '—' : money(fen(account.used)), free: free === null ? '—' : money(fen(free)) })));
  }
  const btn = el('button', { type: 'button', class: 'btn primary', dataset: { action: 'settleRepairOrder' }, disabled: !so.ok, onclick: () => {
    const f = form.elements;
    const input = { orderId: o.id, expectedVersion: o.version, paymentMethod: f.paymentMethod.value, paymentReference: f.paymentReference.value.trim() };
    if (f.chargeToAccount?.checked) input.chargeToAccount = true;
    else {
      const v = readAmount(paidIn);
      if (v === null) return (form.querySelectorAll('.field-error').forEach((e) => e.remove()), badAmount(form, paidIn));
      input.amountPaid = v;
    }
    if (f.invoiceNumber.value.trim()) input.invoiceNumber = f.invoiceNumber.value.trim();
    if (f.assessmentReference?.value.trim()) input.assessmentReference = f.assessmentReference.value.trim();
    run(form, btn, 'settleRepairOrder', input, `repairOrder { ${ORDER} }`, {
      onDone: (p) => { renderOrder(p.repairOrder, null); loadList(); },
      onConflict: async (p) => { if (p.repairOrder) renderOrder(p.repairOrder, await loadAccount(p.repairOrder)); loadList(); return $('settle').querySelector('[data-section="pay"]') || $('settle').firstElementChild; },
    });
  } }, t(TEXT, 'settle'));
  const buttons = el('div', { class: 'buttons' }, btn);
  if (!so.ok) buttons.append(el('span', { class: 'why', dataset: { why: 'managerSignOff' } }, t(TEXT, 'blocked', { why: so.text })));
  form.append(buttons);
  out.push(form);
  return out;
}

function settledView(o) {
  const s = o.settlement;
  const out = [];
  const bal = mu(s.balanceDue);
  out.push(el('p', { class: 'ok-note' }, t(TEXT, 'settled', { t: app.clock.time(s.settledAt), who: s.settledBy?.name || '' }),
    s.invoiceNumber ? ` · ${t(TEXT, 'invoice')} ${s.invoiceNumber}` : ''));
  out.push(el('table', { class: 'sums', dataset: { section: 'settled' } },
    sumRow('billTotal', fen(mu(s.labour) + mu(s.parts))),
    mu(s.discount) ? sumRow('discount', s.discount, { sign: '− ', note: t(TEXT, 'discountBy', { who: s.discountApprovedBy?.name || '', why: s.discountReason }) }) : null,
    mu(s.warrantyShare) ? sumRow('warrantyShare', s.warrantyShare, { sign: '− ' }) : null,
    mu(s.insurerShare) ? sumRow('insurerShare', s.insurerShare, { sign: '− ' }) : null,
    mu(s.internalShare) ? sumRow('internalShare', s.internalShare, { sign: '− ' }) : null,
    sumRow('customerShare', fen(mu(s.customerShare) + mu(s.accountShare))),
    mu(s.accountShare) ? sumRow('accountShare', s.accountShare, { sign: '− ' }) : null,
    mu(s.depositCredited) ? sumRow('deposit', s.depositCredited, { sign: '− ' }) : null,
    mu(s.depositRefund) ? sumRow('depositRefund', s.depositRefund) : null,
    sumRow('paid', s.paid, { sign: '− ' }),
    sumRow('balance', s.balanceDue, { cls: bal ? 'grand owe' : 'grand' })),
  s.signedOffBy ? el('p', { class: 'muted' }, t(TEXT, 'signedOff', { who: s.signedOffBy.name, total: money(o.bill.total) })) : null,
  el('p', { class: bal ? 'owe-note' : 'ok-note', dataset: { balance: s.balanceDue.amount } }, bal ? t(TEXT, 'owes', { m: money(s.balanceDue) }) : t(TEXT, 'allPaid')));
  if (s.payments.length) {
    out.push(el('h3', {}, t(TEXT, 'payments')), el('table', { class: 'lines payments' }, el('tbody', {}, s.payments.map((p) => el('tr', {},
      el('td', {}, app.clock.time(p.receivedAt)), el('td', {}, t(PAYMENTS, p.method)), el('td', {}, p.reference || '—'), el('td', {}, p.receivedBy?.name || ''), el('td', { class: 'num' }, money(p.amount)))))));
  }
  if (bal > 0 && o.state === 'SETTLED') {
    const form = el('form', { class: 'desk-form', dataset: { order: o.id, section: 'recordPayment' }, onsubmit: (e) => e.preventDefault() });
    const amt = el('input', { name: 'amount', inputmode: 'decimal', value: s.balanceDue.amount });
    const btn = el('button', { type: 'button', class: 'btn primary', dataset: { action: 'recordPayment' }, onclick: () => {
      const v = readAmount(amt);
      if (v === null) return (form.querySelectorAll('.field-error').forEach((e) => e.remove()), badAmount(form, amt));
      run(form, btn, 'recordPayment', { orderId: o.id, amount: v, method: form.elements.method.value, reference: form.elements.reference.value.trim() }, 'settlement { id }',
        { onDone: () => { select_(o.id); loadList(); } });
    } }, t(TEXT, 'recordPayment'));
    form.append(el('div', { class: 'pay' }, field(t(TEXT, 'amount'), amt), field(t(TEXT, 'method'), select('method', REAL_METHODS.map((k) => [k, t(PAYMENTS, k)]), s.paymentMethod !== 'NONE' ? s.paymentMethod : 'WECHAT_PAY')),
      field(t(TEXT, 'reference'), el('input', { name: 'reference' }))), el('div', { class: 'buttons' }, btn));
    out.push(form);
  }
  if (!s.invoiceNumber) {
    const form = el('form', { class: 'desk-form inline', dataset: { order: o.id, section: 'recordInvoice' }, onsubmit: (e) => e.preventDefault() });
    const btn = el('button', { type: 'button', class: 'btn', dataset: { action: 'recordInvoice' }, onclick: () => run(form, btn, 'recordInvoice',
      { orderId: o.id, invoiceNumber: form.elements.invoiceNumber.value.trim() }, 'settlement { id }', { onDone: () => select_(o.id) }) }, t(TEXT, 'recordInvoice'));
    form.append(el('div', { class: 'pay' }, field(t(TEXT, 'invoice'), el('input', { name: 'invoiceNumber' })), el('div', { class: 'buttons' }, btn)));
    out.push(form);
  }
  if (s.receivables.length) {
    out.push(el('h3', {}, t(TEXT, 'opened')), el('table', { class: 'lines', dataset: { section: 'receivables' } }, el('tbody', {}, s.receivables.map((r) => el('tr', { dataset: { receivable: r.id } },
      el('td', {}, t(RPAYERS, r.payer)), el('td', {}, r.debtor || o.visit.customer.name), el('td', { class: 'num' }, money(r.amount)),
      el('td', { class: 'num muted' }, t(TEXT, 'received') + ' ' + money(r.paid)), el('td', { class: 'num' }, money(r.balance)))))));
  }
  out.push(el('div', { class: 'print-links' }, el('span', { class: 'muted' }, t(TEXT, 'print') + '：'),
    el('a', { href: printURL('settlement', o.id), target: '_blank', rel: 'opener', dataset: { print: 'settlement' } }, t(TEXT, 'pSettlement')),
    el('a', { href: printURL('exitpass', o.id), target: '_blank', rel: 'opener', dataset: { print: 'exitpass' } }, t(TEXT, 'pExit'))));
  return out.filter(Boolean);
}

// ---- receivables (应收款) -------------------------------------------------

// loadReceivables draws the receivables tab. A live update (live: true)
// redraws it only when the receivables changed, so what the cashier typed
// and the errors shown stay put.
async function loadReceivables({ live = false } = {}) {
  const box = $('receivables');
  let data;
  try {
    data = await gql(RECEIVABLES, { s: app.site.id });
  } catch (e) {
    if (!isAuthError(e)) throw e;
    return box.replaceChildren(el('p', { class: 'muted' }, t(TEXT, 'noMoney')));
  }
  const key = JSON.stringify(data);
  if (live && key === app.receivablesKey) return;
  app.receivablesKey = key;
  const ageing = [data.insurer, data.warranty, data.account];
  const head = el('tr', {}, el('th', {}, t(TEXT, 'payer')), ...Object.values(BUCKETS).map((b) => el('th', { class: 'num' }, b + (settings.lang === 'en' ? ' d' : '天'))), el('th', { class: 'num' }, t(TEXT, 'total')), el('th', { class: 'num' }, t(TEXT, 'count')));
  const rows = ageing.map((a) => el('tr', { dataset: { payer: a.payer } }, el('th', {}, t(RPAYERS, a.payer)),
    ...Object.keys(BUCKETS).map((k) => {
      const m = a.buckets.find((x) => x.bucket === k)?.amount;
      return el('td', { class: 'num ' + (mu(m) ? 'b-' + k.toLowerCase() : 'zero'), dataset: { bucket: k } }, money(m));
    }),
    el('td', { class: 'num strong' }, money(a.total)), el('td', { class: 'num' }, String(a.count))));
  const list = data.receivables.map((r) => {
    const amt = el('input', { name: 'amount', inputmode: 'decimal', value: r.balance.amount, size: 9 });
    const ref = el('input', { name: 'reference', size: 12, placeholder: t(TEXT, 'remittance') });
    const tr = el('tr', { dataset: { receivable: r.id, bucket: r.ageBucket } });
    const btn = el('button', { type: 'button', class: 'btn small', dataset: { action: 'payReceivable' }, onclick: () => {
      const v = readAmount(amt);
      if (v === null) return (tr.querySelectorAll('.field-error').forEach((e) => e.remove()), badAmount(tr, amt));
      run(tr, btn, 'payReceivable', { receivableId: r.id, expectedVersion: r.version, amount: v, reference: ref.value.trim() }, 'receivable { id balance { amount } }', {
        onDone: () => loadReceivables(),
        onConflict: async () => { await loadReceivables(); return $('receivables').querySelector(`[data-receivable="${CSS.escape(r.id)}"] td:last-child`) || $('receivables'); },
      });
    } }, t(TEXT, 'payReceivable'));
    tr.append(el('td', {}, t(RPAYERS, r.payer)), el('td', {}, r.debtor || r.customer?.name || '—'),
      el('td', {}, r.repairOrder ? `${r.repairOrder.number} · ${r.repairOrder.visit.vehicle.plate}` : '—'),
      el('td', {}, ymd(r.openedAt)), el('td', { class: 'num b-' + r.ageBucket.toLowerCase() }, String(r.ageDays)),
      el('td', { class: 'num' }, money(r.amount)), el('td', { class: 'num' }, money(r.paid)), el('td', { class: 'num strong' }, money(r.balance)),
      el('td', { class: 'pay-cell' }, amt, ref, btn));
    return tr;
  });
  box.replaceChildren(
    el('h2', {}, t(TEXT, 'ageing')), el('table', { class: 'lines ageing' }, el('thead', {}, head), el('tbody', {}, rows)),
    el('h2', {}, `${t(TEXT, 'openReceivables')} (${data.receivables.length})`),
    el('table', { class: 'lines open-receivables' }, el('thead', {}, el('tr', {}, ...['payer', 'debtor', 'order', 'openedAt', 'ageDays', 'amount', 'received', 'balance', ''].map((k) => el('th', { class: ['ageDays', 'amount', 'received', 'balance'].includes(k) ? 'num' : '' }, k ? t(TEXT, k) : '')))),
      el('tbody', {}, list.length ? list : el('tr', {}, el('td', { colspan: 9, class: 'muted' }, t(TEXT, 'none'))))));
}

function showTab(tab) {
  app.tab = tab;
  document.body.dataset.tab = tab;
  for (const b of document.querySelectorAll('#tabs [data-tab]')) b.setAttribute('aria-selected', String(b.dataset.tab === tab));
  $('settle-main').hidden = tab !== 'settle';
  $('receivables').hidden = tab !== 'receivables';
  if (tab === 'receivables') loadReceivables().catch((e) => formError($('receivables'), e.message));
}

let timer = null;
function onUpdate(u) {
  clearTimeout(timer);
  timer = setTimeout(() => {
    loadList().catch(() => {});
    if (app.tab === 'receivables' && !document.activeElement?.closest?.('#receivables')) loadReceivables({ live: true }).catch(() => {});
  }, 150);
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
  $('tabs').replaceChildren(...['settle', 'receivables'].map((k) => el('button', { type: 'button', role: 'tab', dataset: { tab: k }, onclick: () => showTab(k) },
    t(TEXT, k === 'settle' ? 'tabSettle' : 'tabReceivables'))));
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
  showTab('settle');
  app.live = new Live({ onState: setConn });
  app.live.add({ field: 'boardFeed', query: FEED, variables: { siteId: app.site.id }, cursor, onUpdate,
    onReset: async () => { await loadList(); return loadBoard(); } });
  app.live.start();
  setInterval(renderList, 60000);
}

start();
