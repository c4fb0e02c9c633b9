// Shared by the desk screens (advisor, cashier, print): running a mutation
// from a form with its userErrors shown next to the field at fault, CONFLICT
// answered with the record as it is now, the full-screen "this token does
// not work" page, money, and date-time inputs in the site's time zone.
// Built on common.js: idempotency keys (idem) and the Chinese wording of
// English userErrors (errorText) come from there. What stays here differs
// on purpose from common.js's look-alikes: run/showUserErrors find a field by
// its whole dotted path (vehicle.vin, not the last segment, for the desk's
// nested inputs) and keep one form-error box per form; fatal draws the desk's
// full-screen message, which the advisor page takes down again when its
// token works after all (common.js's fatal hides the page for good).
import { settings, t, gql, el, isAuthError, errorText, idem } from './common.js';

const TEXT = {
  badToken: { zh: '此令牌无效或已过期', en: 'This token is not valid or has lapsed' },
  badTokenSub: { zh: '本页面不显示任何数据。请向主管索取新的链接（含 ?token=…）后重新打开。', en: 'Nothing is shown on this page. Ask your manager for a new link (with ?token=…) and open it again.' },
  noToken: { zh: '地址中缺少令牌', en: 'The address has no token' },
  noTokenSub: { zh: '请用含 ?token=… 的链接打开本页面。', en: 'Open this page with a link that has ?token=… in it.' },
  wrongRole: { zh: '此令牌的角色（{r}）不能使用本页面', en: 'This token’s role ({r}) cannot use this page' },
  conflict: { zh: '此记录刚被他人修改：下面显示的是它现在的样子，请核对后再操作。', en: 'Someone else just changed this record: it is shown below as it is now. Check it, then try again.' },
  failed: { zh: '操作失败：{m}', en: 'It did not work: {m}' },
  network: { zh: '连接不上服务器，请稍后再试。', en: 'The server cannot be reached; try again shortly.' },
};

// MONEY_ERRORS say the server's settlement and money userErrors in Chinese
// with their amounts or lines: [field, pattern on the English sentence, zh text with {a}, {b}].
const MONEY_ERRORS = [
  ['amountPaid', /owes ([\d.,]+) now; a payment of ([-\d.,]+)/, '客户现应付 ¥{a}，本次实收 ¥{b} 不行：须在 0 至 ¥{a} 之间。'],
  ['amount', /^The customer owes ([\d.,]+); a payment of ([-\d.,]+)/, '客户尚欠 ¥{a}，收款 ¥{b} 不行：须大于 0 且不超过所欠。'],
  ['amount', /owes ([\d.,]+) on this receivable; a payment of ([-\d.,]+)/, '此笔应收尚欠 ¥{a}，收款 ¥{b} 不行：须大于 0 且不超过所欠。'],
  ['amount', /may approve a discount of at most ([\d.,]+) on this bill; ([\d.,]+)/, '您的角色在此单最多可批准 ¥{a} 折扣；¥{b} 须由服务经理批准。'],
  ['amount', /customer's share of ([\d.,]+); ([-\d.,]+) is not/, '折扣须大于 0 且不超过客户承担的 ¥{a}；¥{b} 不行。'],
  ['managerSignOff', /signed off ([\d.,]+), but the bill is now ([\d.,]+)/, '服务经理确认的是 ¥{a}，账单现为 ¥{b}：需重新签字确认。'],
  ['managerSignOff', /The bill is ([\d.,]+), over ([\d.,]+)/, '账单 ¥{a} 超过 ¥{b}：需服务经理签字确认后才能结算。'],
  ['chargeToAccount', /has no account/, '此客户没有签单账户：请收款，或先由服务经理开设账户。'],
  ['chargeToAccount', /bring the account to ([\d.,]+), over its credit limit of ([\d.,]+)/, '挂账后账户欠款将达 ¥{a}，超过信用额度 ¥{b}：请改为收款。'],
  ['invoiceNumber', /already recorded on another/, '此发票号已登记在本店另一张委托书上。'],
  ['invoiceNumber', /already recorded on this settlement/, '此结算单已有发票号。'],
  ['discount', /no longer fits/, '已批准的折扣与现在的账单不符（账单有变）：请重新审批。'],
  ['balanceDue', /still owes ([\d.,]+)/, '客户尚欠 ¥{a}：请先收款再交车。'],
  ['parts', /issued for work that is not billed: (.+?)\. Return them/, '以下配件已出库，但所属项目不收费：{a}。请先退库再结算。'],
  ['parts', /never issued: (.+?)\. Issue them/, '以下配件尚未出库，不能结算：{a}。请配件员出库，或由服务顾问删除这些配件行。'],
];

// deskErrorText is a userError's sentence for a desk screen: money errors
// with their amounts (MONEY_ERRORS), the rest as common.js says them.
function deskErrorText(e, label) {
  if (settings.lang !== 'en') {
    const name = (e.field || []).at(-1);
    for (const [f, re, zh] of MONEY_ERRORS) {
      const m = f === name && re.exec(e.message || '');
      if (m) return zh.replaceAll('{a}', m[1] || '').replaceAll('{b}', m[2] || '');
    }
  }
  return errorText(e, label);
}

// INPUTS names each mutation's input type (one input argument each).
const INPUTS = {
  receiveVehicle: 'ReceiveVehicleInput', createRepairOrder: 'CreateRepairOrderInput', updateRepairOrder: 'UpdateRepairOrderInput',
  addJob: 'AddJobInput', addPartLine: 'AddPartLineInput', removeOrderLine: 'RemoveOrderLineInput',
  signRepairOrder: 'SignRepairOrderInput', handOverRepairOrder: 'HandOverRepairOrderInput', cancelRepairOrder: 'CancelRepairOrderInput',
  approveAdditionalWork: 'DecideAdditionalWorkInput', declineAdditionalWork: 'DecideAdditionalWorkInput',
  settleRepairOrder: 'SettleRepairOrderInput', deliverVehicle: 'DeliverVehicleInput',
  recordPayment: 'RecordPaymentInput', recordInvoice: 'RecordInvoiceInput', approveDiscount: 'ApproveDiscountInput',
  signOffBill: 'SignOffBillInput', payReceivable: 'PayReceivableInput',
};

// mutate runs one mutation and returns its payload (userErrors included).
export async function mutate(name, input, selection) {
  const type = INPUTS[name];
  if (!type) throw new Error('unknown mutation ' + name);
  const doc = `mutation ${name[0].toUpperCase() + name.slice(1)}($in: ${type}!) { ${name}(input: $in) { ${selection} userErrors { code field message } } }`;
  return (await gql(doc, { in: input }))[name];
}

// clearErrors removes the error marks of a form (or any element).
export function clearErrors(scope) {
  scope.querySelectorAll('.field-error').forEach((e) => e.remove());
  scope.querySelectorAll('[aria-invalid]').forEach((e) => e.removeAttribute('aria-invalid'));
  scope.querySelectorAll('.form-error').forEach((e) => { e.textContent = ''; e.hidden = true; });
  scope.querySelectorAll('.conflict').forEach((e) => e.remove());
}

// formError shows a message for the whole form: in its .form-error box,
// created at the end of the scope when it has none.
export function formError(scope, msg) {
  let box = scope.querySelector('.form-error');
  if (!box) {
    box = el('div', { class: 'form-error', role: 'alert' });
    scope.append(box);
  }
  box.textContent = msg;
  box.hidden = false;
}

// showUserErrors puts each error next to the input it names: field
// ["input","vehicle","vin"] is the element with name="vehicle.vin" inside
// scope; errors about the whole input, or a field without an element here,
// go to the form's error box.
export function showUserErrors(scope, errors) {
  const general = [];
  for (const e of errors) {
    const path = (e.field || []).filter((p) => p !== 'input' && !/^\d+$/.test(p));
    let target = null;
    for (let n = path.length; n > 0 && !target; n--) target = scope.querySelector(`[name="${CSS.escape(path.slice(0, n).join('.'))}"]`);
    const label = target?.closest('label')?.querySelector('.field-label')?.textContent?.trim() || '';
    const text = deskErrorText(e, label);
    if (!target) {
      general.push(text);
      continue;
    }
    target.setAttribute('aria-invalid', 'true');
    target.insertAdjacentElement('afterend', el('div', { class: 'field-error', role: 'alert', title: text === e.message ? null : e.message, dataset: { code: e.code, field: path.join('.') } }, text));
  }
  if (general.length) formError(scope, general.join(' '));
}

// run performs the mutation behind a button or form: disables the button
// while it runs, clears old errors, shows userErrors where they belong, and
// calls onConflict(payload) on CONFLICT (the payload carries the record as
// it is now) and onDone(payload) on success. It returns the payload, or
// null when the mutation did not happen.
export async function run(scope, button, name, input, selection, { onDone, onConflict } = {}) {
  clearErrors(scope);
  if (button) button.disabled = true;
  document.body.dataset.busy = name;
  try {
    const p = await mutate(name, { ...input, idempotencyKey: idem() }, selection);
    if (p.userErrors.length) {
      if (p.userErrors.some((e) => e.code === 'CONFLICT')) {
        // onConflict shows the record as it is now and may return the
        // element that replaced the form, where the message then goes.
        const where = (await onConflict?.(p)) || scope;
        where.prepend(el('div', { class: 'conflict', role: 'alert', dataset: { code: 'CONFLICT' } }, t(TEXT, 'conflict')));
      }
      showUserErrors(scope, p.userErrors.filter((e) => e.code !== 'CONFLICT'));
      return null;
    }
    await onDone?.(p);
    return p;
  } catch (e) {
    if (isAuthError(e) && e.code === 'UNAUTHENTICATED') fatal('badToken', e.message);
    else formError(scope, e.code === 'NETWORK' ? t(TEXT, 'network') : t(TEXT, 'failed', { m: e.message }));
    return null;
  } finally {
    if (button?.isConnected) button.disabled = false;
    delete document.body.dataset.busy;
  }
}

// fatal covers the whole page with a message nobody can mistake for an
// empty workshop: a lapsed, wrong or missing token, or a role the page is
// not for. kind is 'badToken', 'noToken' or 'wrongRole'.
export function fatal(kind, detail, vars) {
  let box = document.getElementById('fatal');
  if (!box) {
    box = el('div', { id: 'fatal', class: 'fatal', role: 'alert' });
    document.body.append(box);
  }
  box.dataset.kind = kind;
  const sub = kind === 'wrongRole' ? '' : t(TEXT, kind + 'Sub');
  box.replaceChildren(el('div', { class: 'fatal-box' },
    el('div', { class: 'fatal-icon' }, '⛔'),
    el('h1', {}, t(TEXT, kind, vars)),
    sub ? el('p', {}, sub) : null,
    detail ? el('p', { class: 'fatal-detail' }, detail) : null));
  document.body.dataset.fatal = kind;
}

// money formats a Money as ¥1,234.50.
export function money(m) {
  if (!m) return '';
  const n = Number(m.amount);
  const s = Number.isFinite(n) ? n.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 }) : m.amount;
  return (m.currency === 'CNY' ? '¥' : m.currency + ' ') + s;
}

// zoneOffset is how many minutes the time zone tz is ahead of UTC at instant ms.
function zoneOffset(tz, ms) {
  const f = new Intl.DateTimeFormat('en-US', { timeZone: tz, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
  const p = Object.fromEntries(f.formatToParts(new Date(ms)).map((x) => [x.type, x.value]));
  return (Date.UTC(+p.year, +p.month - 1, +p.day, +p.hour % 24, +p.minute, +p.second) - Math.floor(ms / 1000) * 1000) / 60000;
}

// toLocalInput turns an instant into the value of a datetime-local input
// showing the site's wall clock (not this device's).
export function toLocalInput(iso, tz) {
  if (!iso) return '';
  const ms = Date.parse(iso);
  return new Date(ms + zoneOffset(tz, ms) * 60000).toISOString().slice(0, 16);
}

// fromLocalInput reads a datetime-local value as the site's wall clock and
// returns the instant (ISO, UTC); '' for an empty input.
export function fromLocalInput(v, tz) {
  if (!v) return '';
  const guess = Date.parse(v + ':00Z');
  let ms = guess - zoneOffset(tz, guess) * 60000;
  ms = guess - zoneOffset(tz, ms) * 60000; // once more across a DST change
  return new Date(ms).toISOString();
}

// field builds a labelled input: field(label, inputElement[, hint]).
export function field(label, input, hint) {
  return el('label', { class: 'field' }, el('span', { class: 'field-label' }, label), input, hint ? el('span', { class: 'field-hint' }, hint) : null);
}

// select builds a <select name=…> from [value, text] pairs.
export function select(name, options, value) {
  return el('select', { name }, options.map(([v, text]) => el('option', { value: v, selected: v === value }, text)));
}

// printURL is the address of a print page for an order: kind is order,
// checkin, settlement or exitpass. The token goes along (the print page takes
// it out of its address at once), since a new tab has no session of its own.
export function printURL(kind, orderId, copy) {
  const q = new URLSearchParams({ kind, order: orderId, lang: settings.lang, token: settings.token });
  if (settings.site) q.set('site', settings.site);
  if (copy) q.set('copy', copy);
  return '/print?' + q;
}
