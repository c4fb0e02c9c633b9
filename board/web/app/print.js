// The print pages (A4, printed by the browser): the repair order (委托书,
// with the customer's copy), the check-in sheet (接车单), the settlement
// (结算单) and the exit pass (出门证). Opened from the advisor's desk and the
// cashier as /print?kind=order|checkin|settlement|exitpass&order=<id>
// [&copy=customer]; the token travels in the address and is taken out of it
// at once (common.js). Times are the site's; texts follow ?lang=.
import { settings, t, gql, el, isAuthError } from './common.js';
import { fatal, money } from './desk.js';

const TEXT = {
  order: { zh: '任务委托书', en: 'Repair order' }, checkin: { zh: '接车单', en: 'Check-in sheet' },
  settlement: { zh: '结算单', en: 'Settlement' }, exitpass: { zh: '出门证', en: 'Exit pass' },
  print: { zh: '打印', en: 'Print' }, hint: { zh: 'A4 纵向；打印时浏览器的页眉页脚请关闭。', en: 'A4 portrait; turn off the browser’s headers and footers.' },
  shopCopy: { zh: '存根联', en: 'Shop copy' }, customerCopy: { zh: '客户联', en: 'Customer copy' },
  no: { zh: '单号', en: 'No.' }, printed: { zh: '打印时间', en: 'Printed' },
  customer: { zh: '客户', en: 'Customer' }, phone: { zh: '电话', en: 'Phone' }, plate: { zh: '车牌', en: 'Plate' }, vin: { zh: 'VIN', en: 'VIN' },
  car: { zh: '车型', en: 'Car' }, colour: { zh: '颜色', en: 'Colour' }, mileage: { zh: '进厂里程', en: 'Odometer' }, fuel: { zh: '油量', en: 'Fuel' },
  received: { zh: '接车时间', en: 'Received' }, advisor: { zh: '服务顾问', en: 'Advisor' }, keyTag: { zh: '钥匙牌', en: 'Key tag' },
  workType: { zh: '维修类型', en: 'Kind of work' }, promised: { zh: '预计交车', en: 'Promised' },
  complaint: { zh: '客户描述', en: 'Complaint' }, findings: { zh: '问诊诊断', en: 'Diagnosis' },
  jobs: { zh: '维修项目', en: 'Jobs' }, parts: { zh: '配件材料', en: 'Parts' }, item: { zh: '项目', en: 'Item' },
  minutes: { zh: '工时(分)', en: 'Min' }, amount: { zh: '金额', en: 'Amount' }, payer: { zh: '付费方', en: 'Payer' },
  partNo: { zh: '配件号', en: 'Part no.' }, name: { zh: '名称', en: 'Name' }, qty: { zh: '数量', en: 'Qty' }, unit: { zh: '单价', en: 'Unit' },
  labour: { zh: '工时费', en: 'Labour' }, partsTotal: { zh: '材料费', en: 'Parts' }, total: { zh: '合计', en: 'Total' },
  customerShare: { zh: '客户应付', en: 'Customer pays' }, warrantyShare: { zh: '厂家保修', en: 'Warranty' }, insurerShare: { zh: '保险公司', en: 'Insurer' }, internalShare: { zh: '内部承担', en: 'Dealer' },
  payment: { zh: '付款方式', en: 'Payment' }, oldParts: { zh: '旧件处理', en: 'Old parts' }, wash: { zh: '免费洗车', en: 'Free wash' },
  yes: { zh: '是', en: 'yes' }, no_: { zh: '否', en: 'no' },
  terms: { zh: '本委托书经客户签字确认后生效。维修中如发现增项，须经客户同意后方可施工。预计交车时间如有变化，本店将及时告知。车内贵重物品请自行保管。', en: 'This order takes effect when the customer signs it. Additional work found during repair is done only with the customer’s consent. We tell the customer if the promised time changes. Please keep valuables with you.' },
  custSign: { zh: '客户签字', en: 'Customer' }, advSign: { zh: '服务顾问', en: 'Advisor' }, date: { zh: '日期', en: 'Date' },
  signedAt: { zh: '签字于 {t}', en: 'signed {t}' }, unsigned: { zh: '（尚未签字）', en: '(not signed yet)' },
  damages: { zh: '环车检查：已有损伤', en: 'Walk-around: existing damage' }, where: { zh: '部位', en: 'Where' }, what: { zh: '情况', en: 'What' },
  noDamage: { zh: '无', en: 'none' }, belongings: { zh: '随车物品', en: 'Belongings' }, noBelongings: { zh: '无', en: 'none' },
  walkaround: { zh: '客户已确认环车检查与物品清单', en: 'Walk-around and belongings confirmed by the customer' },
  settledAt: { zh: '结算时间', en: 'Settled' }, cashier: { zh: '收银员', en: 'Cashier' }, reference: { zh: '收据/交易号', en: 'Reference' },
  notSettled: { zh: '此单尚未结算。', en: 'This order is not settled yet.' },
  gross: { zh: '折前合计', en: 'Before discount' }, discount: { zh: '折扣', en: 'Discount' }, approvedBy: { zh: '批准人', en: 'Approved by' },
  deposit: { zh: '定金抵扣', en: 'Deposit credited' }, depositRefund: { zh: '定金退还', en: 'Deposit given back' }, accountShare: { zh: '挂账（签单）', en: 'On account' },
  paid: { zh: '已付', en: 'Paid' }, balance: { zh: '尚欠', en: 'Still owed' }, invoice: { zh: '发票号', en: 'Invoice no.' }, signedOff: { zh: '服务经理审批', en: 'Signed off by' },
  payments: { zh: '收款明细', en: 'Payments' }, when: { zh: '时间', en: 'When' }, none: { zh: '—', en: '—' },
  exitNo: { zh: '出门证号', en: 'Exit pass no.' }, orderNo: { zh: '委托书号', en: 'Repair order' }, delivered: { zh: '交车时间', en: 'Delivered' },
  release: { zh: '准予放行', en: 'Cleared to leave' }, guard: { zh: '门卫', en: 'Gate' }, notDelivered: { zh: '（交车时生成）', en: '(issued at delivery)' },
  nextService: { zh: '下次保养', en: 'Next service' }, cut: { zh: '沿此线剪开 · 门卫留存', en: 'cut here · kept at the gate' },
  missing: { zh: '没有这张委托书，或此令牌看不到它。', en: 'No such repair order, or this token cannot see it.' },
  badKind: { zh: '不认识的打印类型。', en: 'Unknown kind of print.' },
};
const WORK = { MAINTENANCE: { zh: '保养', en: 'Maintenance' }, REPAIR: { zh: '维修', en: 'Repair' }, WARRANTY: { zh: '保修', en: 'Warranty' }, ACCIDENT: { zh: '事故', en: 'Accident' } };
const PAYERS = { CUSTOMER: { zh: '客户', en: 'Customer' }, WARRANTY: { zh: '保修', en: 'Warranty' }, INSURER: { zh: '保险', en: 'Insurer' }, INTERNAL: { zh: '内部', en: 'Internal' } };
const PAYMENTS = { CASH: { zh: '现金', en: 'Cash' }, CARD: { zh: '银行卡', en: 'Card' }, WECHAT_PAY: { zh: '微信支付', en: 'WeChat Pay' }, ALIPAY: { zh: '支付宝', en: 'Alipay' }, BANK_TRANSFER: { zh: '转账', en: 'Transfer' }, NONE: { zh: '—', en: '—' } };
const OLDPARTS = { RETURN_TO_CUSTOMER: { zh: '交还客户', en: 'Returned to customer' }, SHOW_TO_CUSTOMER: { zh: '展示后处理', en: 'Shown, then discarded' }, DISCARD: { zh: '厂内处理', en: 'Discarded' }, WARRANTY_RETAIN: { zh: '保修留存', en: 'Kept for warranty' } };
const KINDS = ['order', 'checkin', 'settlement', 'exitpass'];

const M = 'amount currency';
const QUERY = `query Print($id: ID!) { repairOrder(id: $id) {
  id number state workType findings paymentMethod oldParts washRequested promisedAt estimatedAt signedAt signedBy settledAt deliveredAt createdAt
  advisor { name }
  visit { receivedAt mileage fuelLevel damages { location description } belongings keyTag complaint walkaroundSigned exitPass nextServiceDate nextServiceKm
    customer { name phone } vehicle { plate vin make model colour year } }
  jobs { description state labourMinutes labourPrice { ${M} } payer additional }
  partLines { partNumber description quantity unitPrice { ${M} } total { ${M} } payer }
  bill { labour { ${M} } parts { ${M} } total { ${M} } customerShare { ${M} } warrantyShare { ${M} } insurerShare { ${M} } internalShare { ${M} } }
  settlement { labour { ${M} } parts { ${M} } total { ${M} } customerShare { ${M} } warrantyShare { ${M} } insurerShare { ${M} } internalShare { ${M} } paymentMethod paymentReference settledAt settledBy { name }
    discount { ${M} } discountReason discountApprovedBy { name } accountShare { ${M} } depositCredited { ${M} } depositRefund { ${M} } paid { ${M} } balanceDue { ${M} }
    invoiceNumber signedOffBy { name } payments { amount { ${M} } method reference receivedAt } }
} }`;

const params = new URLSearchParams(location.search);
const kind = params.get('kind') || 'order';
const copy = params.get('copy') === 'customer';
let fmt = null;

// when formats an instant as the site's local "2026-12-03 14:05".
const when = (iso) => {
  if (!iso) return '—';
  const p = Object.fromEntries(fmt.formatToParts(new Date(iso)).map((x) => [x.type, x.value]));
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}`;
};

function head(site, title, o, extra) {
  return el('header', { class: 'doc' },
    el('div', {}, el('div', { class: 'site' }, site.name), el('h1', {}, title)),
    el('div', { class: 'no' }, extra ? el('div', { class: 'copy' }, extra) : null,
      el('div', {}, `${t(TEXT, 'no')}：${o.number}`), el('div', {}, `${t(TEXT, 'printed')}：${when(new Date().toISOString())}`)));
}

function carTable(o) {
  const v = o.visit;
  const kv = (...cells) => el('tr', {}, ...cells.flatMap(([k, val]) => [el('th', {}, t(TEXT, k)), el('td', {}, val)]));
  return el('table', { class: 'kv' },
    kv(['customer', v.customer.name], ['phone', v.customer.phone], ['advisor', o.advisor?.name || '—']),
    kv(['plate', v.vehicle.plate], ['car', `${v.vehicle.make} ${v.vehicle.model}${v.vehicle.year ? ' ' + v.vehicle.year : ''}`], ['colour', v.vehicle.colour || '—']),
    kv(['vin', v.vehicle.vin || '—'], ['mileage', `${v.mileage.toLocaleString()} km`], ['keyTag', v.keyTag]),
    kv(['received', when(v.receivedAt)], ['workType', t(WORK, o.workType)], ['promised', when(o.promisedAt || o.estimatedAt)]));
}

function linesTables(o) {
  const jobs = o.jobs.filter((j) => !['DECLINED', 'CANCELLED'].includes(j.state));
  return [
    el('h2', {}, t(TEXT, 'jobs')),
    el('table', {}, el('thead', {}, el('tr', {}, el('th', {}, '#'), el('th', {}, t(TEXT, 'item')), el('th', { class: 'num' }, t(TEXT, 'minutes')), el('th', {}, t(TEXT, 'payer')), el('th', { class: 'num' }, t(TEXT, 'amount')))),
      el('tbody', {}, jobs.map((j, i) => el('tr', {}, el('td', {}, String(i + 1)), el('td', {}, j.description, j.additional ? '（增项）' : ''), el('td', { class: 'num' }, String(j.labourMinutes)), el('td', {}, t(PAYERS, j.payer)), el('td', { class: 'num' }, money(j.labourPrice)))))),
    o.partLines.length ? el('h2', {}, t(TEXT, 'parts')) : null,
    o.partLines.length ? el('table', {}, el('thead', {}, el('tr', {}, ...['partNo', 'name', 'qty', 'unit', 'payer', 'amount'].map((k) => el('th', { class: ['qty', 'unit', 'amount'].includes(k) ? 'num' : '' }, t(TEXT, k))))),
      el('tbody', {}, o.partLines.map((p) => el('tr', {}, el('td', {}, p.partNumber), el('td', {}, p.description), el('td', { class: 'num' }, String(p.quantity)), el('td', { class: 'num' }, money(p.unitPrice)), el('td', {}, t(PAYERS, p.payer)), el('td', { class: 'num' }, money(p.total)))))) : null,
  ];
}

function totals(b) {
  const row = (k, m, cls) => el('tr', { class: cls || '' }, el('th', {}, t(TEXT, k)), el('td', { class: 'num' }, money(m)));
  return el('table', { class: 'totals' }, row('labour', b.labour), row('partsTotal', b.parts), row('total', b.total),
    Number(b.warrantyShare.amount) ? row('warrantyShare', b.warrantyShare) : null, Number(b.insurerShare.amount) ? row('insurerShare', b.insurerShare) : null,
    Number(b.internalShare.amount) ? row('internalShare', b.internalShare) : null, row('customerShare', b.customerShare, 'grand'));
}

// settledTotals are a settlement's amounts as the customer reads them: the
// bill, its discount, each payer's share, the deposit credited, what was
// paid and what is still owed. Lines that are zero are left out, except
// paid and still owed.
function settledTotals(s) {
  const n = (m) => Number(m?.amount || 0);
  const row = (k, m, cls, sign = '') => el('tr', { class: cls || '' }, el('th', {}, t(TEXT, k)), el('td', { class: 'num' }, sign + money(m)));
  return el('table', { class: 'totals' }, row('labour', s.labour), row('partsTotal', s.parts),
    n(s.discount) ? row('gross', { ...s.total, amount: (n(s.total) + n(s.discount)).toFixed(2) }) : null,
    n(s.discount) ? row('discount', s.discount, '', '− ') : null, row('total', s.total),
    n(s.warrantyShare) ? row('warrantyShare', s.warrantyShare) : null, n(s.insurerShare) ? row('insurerShare', s.insurerShare) : null,
    n(s.internalShare) ? row('internalShare', s.internalShare) : null, n(s.accountShare) ? row('accountShare', s.accountShare) : null,
    row('customerShare', s.customerShare, 'grand'),
    n(s.depositCredited) ? row('deposit', s.depositCredited, '', '− ') : null, n(s.depositRefund) ? row('depositRefund', s.depositRefund) : null,
    row('paid', s.paid, '', '− '), row('balance', s.balanceDue, 'grand'));
}

// signs draws the signature lines: [caption key, name on the line, note
// under it]; images put a drawn signature on a line.
function signs(caps, images = {}) {
  return el('div', { class: 'signs' }, caps.map(([k, text, note]) => el('div', {},
    el('div', { class: 'line' }, images[k] ? el('img', { src: images[k], alt: '' }) : (text || '')),
    el('div', { class: 'cap' }, t(TEXT, k), note ? '：' + note : ''))));
}

// signatureImage is the signature drawn on the advisor's desk that opened
// this page, when it is still there: the API keeps who signed and when.
function signatureImage(id) {
  try {
    return window.opener?.bayboard?.signatures?.[id] || '';
  } catch {
    return '';
  }
}

const render = {
  order(site, o) {
    const img = signatureImage(o.id);
    return [head(site, t(TEXT, 'order'), o, t(TEXT, copy ? 'customerCopy' : 'shopCopy')), carTable(o),
      el('table', { class: 'kv' }, el('tr', {}, el('th', {}, t(TEXT, 'complaint')), el('td', {}, o.visit.complaint || '—')),
        el('tr', {}, el('th', {}, t(TEXT, 'findings')), el('td', {}, o.findings || '—'))),
      ...linesTables(o), totals(o.bill),
      el('table', { class: 'kv' }, el('tr', {}, el('th', {}, t(TEXT, 'payment')), el('td', {}, t(PAYMENTS, o.paymentMethod)), el('th', {}, t(TEXT, 'oldParts')), el('td', {}, t(OLDPARTS, o.oldParts)),
        el('th', {}, t(TEXT, 'wash')), el('td', {}, t(TEXT, o.washRequested ? 'yes' : 'no_')))),
      el('p', { class: 'terms' }, t(TEXT, 'terms')),
      signs([['custSign', img ? '' : o.signedBy, o.signedBy ? `${o.signedBy}，${t(TEXT, 'signedAt', { t: when(o.signedAt) })}` : t(TEXT, 'unsigned')],
        ['advSign', o.advisor?.name || ''], ['date', o.signedAt ? when(o.signedAt).slice(0, 10) : '']], { custSign: img })];
  },
  checkin(site, o) {
    const v = o.visit;
    return [head(site, t(TEXT, 'checkin'), o), carTable(o),
      el('table', { class: 'kv' }, el('tr', {}, el('th', {}, t(TEXT, 'fuel')), el('td', {}, el('span', { class: 'fuel' }, el('i', { style: `width:${v.fuelLevel}%` })), `${v.fuelLevel}%`)),
        el('tr', {}, el('th', {}, t(TEXT, 'complaint')), el('td', {}, v.complaint || '—'))),
      el('h2', {}, t(TEXT, 'damages')),
      el('table', {}, el('thead', {}, el('tr', {}, el('th', {}, '#'), el('th', {}, t(TEXT, 'where')), el('th', {}, t(TEXT, 'what')))),
        el('tbody', {}, v.damages.length ? v.damages.map((d, i) => el('tr', {}, el('td', {}, String(i + 1)), el('td', {}, d.location), el('td', {}, d.description)))
          : el('tr', {}, el('td', { colspan: 3 }, t(TEXT, 'noDamage'))))),
      el('h2', {}, t(TEXT, 'belongings')),
      el('table', {}, el('tbody', {}, v.belongings.length ? v.belongings.map((b) => el('tr', {}, el('td', { style: 'width:8mm' }, '☐'), el('td', {}, b))) : el('tr', {}, el('td', {}, t(TEXT, 'noBelongings'))))),
      el('p', { class: 'terms' }, v.walkaroundSigned ? '☑ ' : '☐ ', t(TEXT, 'walkaround')),
      signs([['custSign'], ['advSign', o.advisor?.name || ''], ['date', when(v.receivedAt).slice(0, 10)]])];
  },
  settlement(site, o) {
    const s = o.settlement;
    if (!s) return [head(site, t(TEXT, 'settlement'), o), el('p', {}, t(TEXT, 'notSettled'))];
    return [head(site, t(TEXT, 'settlement'), o), carTable(o), ...linesTables(o), settledTotals(s),
      el('table', { class: 'kv' }, el('tr', {}, el('th', {}, t(TEXT, 'payment')), el('td', {}, t(PAYMENTS, s.paymentMethod)), el('th', {}, t(TEXT, 'reference')), el('td', {}, s.paymentReference || '—')),
        el('tr', {}, el('th', {}, t(TEXT, 'settledAt')), el('td', {}, when(s.settledAt)), el('th', {}, t(TEXT, 'cashier')), el('td', {}, s.settledBy?.name || '—')),
        el('tr', {}, el('th', {}, t(TEXT, 'invoice')), el('td', { class: 'invoice', colspan: s.signedOffBy ? null : 3 }, s.invoiceNumber || '—'),
          s.signedOffBy ? el('th', {}, t(TEXT, 'signedOff')) : null, s.signedOffBy ? el('td', {}, s.signedOffBy.name) : null),
        Number(s.discount.amount) ? el('tr', {}, el('th', {}, t(TEXT, 'discount')), el('td', {}, s.discountReason || '—'), el('th', {}, t(TEXT, 'approvedBy')), el('td', {}, s.discountApprovedBy?.name || '—')) : null),
      s.payments.length > 1 ? el('table', { class: 'payments' }, el('thead', {}, el('tr', {}, el('th', {}, t(TEXT, 'payments')), el('th', {}, t(TEXT, 'payment')), el('th', {}, t(TEXT, 'reference')), el('th', { class: 'num' }, t(TEXT, 'amount')))),
        el('tbody', {}, s.payments.map((p) => el('tr', {}, el('td', {}, when(p.receivedAt)), el('td', {}, t(PAYMENTS, p.method)), el('td', {}, p.reference || '—'), el('td', { class: 'num' }, money(p.amount)))))) : null,
      signs([['custSign'], ['cashier', s.settledBy?.name || ''], ['date', when(s.settledAt).slice(0, 10)]])];
  },
  exitpass(site, o) {
    const v = o.visit;
    const pass = (cut) => el('div', { class: 'exit' },
      el('div', { class: 'big' }, v.vehicle.plate),
      el('table', { class: 'kv' },
        el('tr', {}, el('th', {}, t(TEXT, 'exitNo')), el('td', {}, v.exitPass || t(TEXT, 'notDelivered')), el('th', {}, t(TEXT, 'orderNo')), el('td', {}, o.number)),
        el('tr', {}, el('th', {}, t(TEXT, 'car')), el('td', {}, `${v.vehicle.make} ${v.vehicle.model} ${v.vehicle.colour || ''}`), el('th', {}, t(TEXT, 'customer')), el('td', {}, v.customer.name)),
        el('tr', {}, el('th', {}, t(TEXT, 'settledAt')), el('td', {}, when(o.settledAt)), el('th', {}, t(TEXT, 'delivered')), el('td', {}, when(o.deliveredAt))),
        cut ? null : el('tr', {}, el('th', {}, t(TEXT, 'nextService')), el('td', { colspan: 3 }, [v.nextServiceDate, v.nextServiceKm ? `${v.nextServiceKm.toLocaleString()} km` : ''].filter(Boolean).join(' / ') || '—'))),
      el('div', { class: 'stamp' }, o.settledAt ? t(TEXT, 'release') : t(TEXT, 'notSettled')),
      signs([['cashier', o.settlement?.settledBy?.name || ''], ['advSign', o.advisor?.name || ''], ['guard']]));
    return [head(site, t(TEXT, 'exitpass'), o), pass(false), el('div', { class: 'cut' }, '✂ ', t(TEXT, 'cut')), pass(true)];
  },
};

async function start() {
  const sheet = document.getElementById('sheet');
  document.getElementById('toolbar').replaceChildren(
    el('button', { type: 'button', id: 'print', onclick: () => print() }, t(TEXT, 'print')),
    el('span', { class: 'hint' }, t(TEXT, 'hint')));
  if (!settings.token) return fatal('noToken');
  if (!KINDS.includes(kind)) {
    sheet.className = 'sheet error';
    return sheet.replaceChildren(t(TEXT, 'badKind'));
  }
  let o, sites;
  try {
    ({ repairOrder: o, sites } = await gql(QUERY.replace('repairOrder(id: $id) {', 'sites { id name timeZone } repairOrder(id: $id) {'), { id: params.get('order') || '' }));
  } catch (e) {
    if (isAuthError(e)) return fatal(e.code === 'FORBIDDEN' ? 'wrongRole' : 'badToken', e.message, { r: '' });
    sheet.className = 'sheet error';
    return sheet.replaceChildren(e.code === 'NOT_FOUND' || e.code === 'INVALID' ? t(TEXT, 'missing') : e.message);
  }
  if (!o) {
    sheet.className = 'sheet error';
    return sheet.replaceChildren(t(TEXT, 'missing'));
  }
  const site = sites.find((s) => s.id === settings.site || s.code === settings.site) || sites[0];
  fmt = new Intl.DateTimeFormat('en-CA', { timeZone: site.timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  document.title = `${t(TEXT, kind)} ${o.number}`;
  sheet.dataset.kind = kind;
  sheet.dataset.order = o.id;
  sheet.replaceChildren(...render[kind](site, o).filter(Boolean));
  document.body.dataset.ready = '1';
}

start();
