// The parts counter (配件发料): repair orders in work whose catalogue part
// lines are not fully drawn (领料), each line with what the order needs, what
// was drawn, and the stock; issue to the technician who draws them (出库单),
// take unused parts back against the slip (退库), and, for those who may
// change the order, drop a line not needed. Beside it the shortages: parts
// whose reservations wait for stock, with goods received (到货入库) filling
// them, live.
import {
  t, fatal, idem, toast, el, plateEl, duration, STR, PRIORITY_RANK, gql, loadOrders, followBoard, debounce, eventText, showUserErrors, clearErrors, startScreen, setConnPill,
} from './common.js';

const TEXT = {
  title: { zh: '配件发料', en: 'Parts counter' },
  queue: { zh: '领料 · 维修中的委托书', en: 'To draw · orders in work' },
  none: { zh: '没有等待领料的委托书。', en: 'No order waits for parts to be drawn.' },
  shortages: { zh: '缺件 · 等待到货', en: 'Shortages · waiting for stock' },
  noShort: { zh: '没有等待到货的预留。', en: 'No reservation waits for stock.' },
  feed: { zh: '配件动态', en: 'Parts activity' },
  noFeed: { zh: '打开本页后的配件变动会显示在这里。', en: 'Parts changes since this page opened show here.' },
  partNo: { zh: '配件号', en: 'Part no.' },
  need: { zh: '需 {n}', en: 'need {n}' },
  drawn: { zh: '已领 {n}', en: 'drawn {n}' },
  avail: { zh: '可用 {n}', en: 'free {n}' },
  onHand: { zh: '在库 {n}', en: 'on hand {n}' },
  held: { zh: '本单预留 {n}', en: 'held here {n}' },
  qty: { zh: '数量', en: 'Quantity' },
  drawer: { zh: '领料人', en: 'Drawn by' },
  pickDrawer: { zh: '请选择…', en: 'Choose…' },
  issue: { zh: '发料', en: 'Issue' },
  ret: { zh: '退库', en: 'Return' },
  retQty: { zh: '退回数量', en: 'Return qty' },
  slip: { zh: '出库 {q} · {who} · {at}', en: 'Issued {q} · {who} · {at}' },
  slipBack: { zh: '已退 {n}', en: '{n} back' },
  wholeOrder: { zh: '整单', en: 'whole order' },
  full: { zh: '已领齐', en: 'all drawn' },
  short: { zh: '缺件', en: 'short' },
  pending: { zh: '增项待客户确认，暂不发料', en: 'additional work awaiting the customer: not yet' },
  unbilled: { zh: '作业不计费，请退库', en: 'work not billed: return these' },
  drop: { zh: '不需要此配件', en: 'Not needed' },
  dropReason: { zh: '原因', en: 'Why' },
  dropSend: { zh: '删除此行', en: 'Drop line' },
  dropHint: { zh: '不需要的配件行请服务顾问删除（结算前必须发料或删除）。', en: 'A line not needed is dropped by the advisor (before settlement every line is issued or dropped).' },
  cancel: { zh: '取消', en: 'Cancel' },
  issued: { zh: '已发料：{q} × {p} → {who}', en: 'Issued: {q} × {p} → {who}' },
  returned: { zh: '已退库：{q} × {p}', en: 'Returned: {q} × {p}' },
  dropped: { zh: '已删除配件行：{p}', en: 'Line dropped: {p}' },
  received: { zh: '已入库：{q} × {p}', en: 'Received: {q} × {p}' },
  waitingFor: { zh: '等 {n}', en: 'awaits {n}' },
  appointment: { zh: '预约', en: 'appointment' },
  receive: { zh: '到货入库', en: 'Receive' },
  reference: { zh: '送货单号', en: 'Delivery note' },
  poLine: { zh: '采购单 {r}：还差 {n}', en: 'PO {r}: {n} to come' },
  lateBy: { zh: '超时 {d}', en: '{d} late' },
  due: { zh: '承诺 {t}', en: 'due {t}' },
  wholeNumber: { zh: '请填写整数件数。', en: 'Give a whole number of units.' },
  whoDraws: { zh: '请选择领料的技师。', en: 'Choose who draws the parts.' },
  reasonNeeded: { zh: '请写明不需要的原因。', en: 'Say why it is not needed.' },
  nowIs: { zh: '未提交：下面显示的是此记录的最新状态。', en: 'Nothing was changed: this is the record as it is now.' },
  conflict: { zh: '记录刚被其他人修改，下面显示的是最新状态，请确认后再操作。', en: 'Someone changed this a moment ago: it is shown as it is now. Check it and try again.' },
  offline: { zh: '网络中断，操作未提交，请稍后重试。', en: 'No connection: nothing was changed. Try again in a moment.' },
  failed: { zh: '操作失败：{m}', en: 'Failed: {m}' },
  wrongRole: { zh: '此令牌（{r}）不是配件管理员，发料会被拒绝。', en: 'Not a parts clerk’s token ({r}): issuing will be refused.' },
};

// ZH_ERRORS say the parts rules' refusals in Chinese, with their numbers;
// the server's English sentence stays as the message's title.
const ZH_ERRORS = [
  [/^Only (\d+) more of part (\S+) can be issued against that line \((\d+) on the order\); (-?\d+) were asked for\.$/,
    '此行最多还能领 {1} 件 {2}（委托书上共 {3} 件），填写的是 {4} 件。'],
  [/^Only (-?\d+) of part (\S+) can be issued \(on hand (\d+), reserved for others (\d+)\); (-?\d+) were asked for\.$/,
    '{2} 现在最多能发 {1} 件（在库 {3}，为其他单预留 {4}），填写的是 {5} 件。'],
  [/^Only (\d+) of the (\d+) units issued can still be returned; (-?\d+) were given\.$/,
    '这张出库单发出 {2} 件，最多还能退 {1} 件，填写的是 {3} 件。'],
  [/^Quantity must be between 1 and 10,000; (-?\d+) is not\.$/, '数量须在 1 到 10000 之间，{1} 不行。'],
  [/^(\d+) × (\S+) were issued against this line and not returned; return them first\.$/, '此行已领 {1} 件 {2} 尚未退库，请先退库。'],
];

function localise(e) {
  if (document.documentElement.lang === 'en') return e;
  for (const [re, zh] of ZH_ERRORS) {
    const m = re.exec(e.message || '');
    if (m) return { ...e, message: zh.replace(/\{(\d)\}/g, (_, i) => m[i]) };
  }
  return e;
}

const ORDER = `id number state priority promisedAt readyAt version
  visit { vehicle { plate make model colour } }
  jobs { id description state technician { id shortName } }
  partLines { id partNumber description quantity job { id } part { id onHand reserved available } }
  partIssues { id partLineId quantity returned issuedAt returnedAt drawnBy { id shortName } part { id partNumber } }
  partReservations { id state outstanding partLineId }`;
const SITE = `query PartsSite($id: ID!) {
  site(id: $id) { staff { id name shortName role } }
  parts(siteId: $id, shortOnly: true, first: 100) { edges { node { id partNumber description onHand reserved available } } }
  purchaseOrders(siteId: $id, state: OPEN) { id reference lines { id outstanding part { id } } } }`;
const ISSUE = `mutation IssueParts($input: IssuePartsInput!) {
  issueParts(input: $input) { issue { id quantity } userErrors { code field message } } }`;
const RETURN = `mutation ReturnParts($input: ReturnPartsInput!) {
  returnParts(input: $input) { issue { id returned } userErrors { code field message } } }`;
const DROP = `mutation DropPartLine($input: DropPartLineInput!) {
  dropPartLine(input: $input) { repairOrder { id version } userErrors { code field message } } }`;
const RECEIVE = `mutation ReceiveStock($input: ReceiveStockInput!) {
  receiveStock(input: $input) { receipt { id quantity } userErrors { code field message } } }`;
const RECEIVE_PO = `mutation ReceivePurchase($input: ReceivePurchaseInput!) {
  receivePurchase(input: $input) { receipt { id quantity } userErrors { code field message } } }`;

// Who may drop a line: it changes the customer's order (ESTIMATE).
const MAY_DROP = new Set(['ADVISOR', 'SERVICE_MANAGER', 'ADMIN']);
// Events a parts clerk cares about in the feed.
const FEED_KINDS = new Set(['PARTS_RESERVED', 'PART_SHORTAGE', 'PARTS_ARRIVED', 'PARTS_RELEASED', 'PARTS_ISSUED', 'PARTS_RETURNED',
  'STOCK_RECEIVED', 'ORDER_HANDED_OVER', 'JOB_DISPATCHED', 'JOB_STARTED', 'ORDER_EDITED']);
const NOT_BILLED = new Set(['DECLINED', 'CANCELLED']);

const $ = (id) => document.getElementById(id);
const app = { viewer: null, site: null, clock: null, orders: [], staff: [], short: [], waiting: {}, poLines: {}, feed: [], dropping: new Set(), loads: 0 };
window.bayboard = app;

const setPill = setConnPill;

function dueChip(o) {
  if (!o.promisedAt) return null;
  const late = Math.floor((app.clock.now() - Date.parse(o.promisedAt)) / 60000);
  if (late > 0 && !o.readyAt) return el('span', { class: 'chip late' }, t(TEXT, 'lateBy', { d: duration(late) }));
  return el('span', { class: 'chip' + (late > -30 ? ' soon' : '') }, t(TEXT, 'due', { t: app.clock.time(o.promisedAt) }));
}

// lineBook is what the counter needs to know of each catalogue line of an
// order: drawn (issued less returned, as the bill counts it), what is still
// to draw, its slips, what its reservation holds or awaits, and its job.
function lineBook(o) {
  const jobs = new Map(o.jobs.map((j) => [j.id, j]));
  return o.partLines.filter((l) => l.part).map((l) => {
    const slips = o.partIssues.filter((s) => s.partLineId === l.id);
    const drawn = slips.reduce((n, s) => n + s.quantity - s.returned, 0);
    const rs = o.partReservations.filter((r) => r.partLineId === l.id);
    const job = l.job ? jobs.get(l.job.id) : null;
    return {
      line: l, job, slips, drawn, left: Math.max(0, l.quantity - drawn),
      held: rs.filter((r) => r.state === 'RESERVED').reduce((n, r) => n + r.outstanding, 0),
      short: rs.some((r) => r.state === 'WAITING'),
      pending: job?.state === 'PENDING_APPROVAL',
      unbilled: !!job && NOT_BILLED.has(job.state),
    };
  }).filter((b) => !(b.unbilled && b.drawn === 0));
}

// toDraw says whether an order still has a line to draw.
const toDraw = (book) => book.some((b) => b.left > 0 && !b.pending && !b.unbilled);

// Each form is a scope for its errors, named by data-scope: line:<part
// line>, issue:<slip>, drop:<part line>, receive:<part>.
const scopeEl = (key) => document.querySelector(`[data-scope="${CSS.escape(key)}"]`);
const lineEl = (id) => scopeEl('line:' + id);
const slipEl = (id) => scopeEl('issue:' + id);
const dropEl = (id) => scopeEl('drop:' + id);
const receiveEl = (id) => scopeEl('receive:' + id);

// send runs one mutation from a control. Any refusal reloads the screen
// first, so the record is shown as it is now (another clerk may have drawn
// the same line a moment ago), and then says why next to the field.
// Returns the payload on success, otherwise null.
async function send({ doc, field, variables, scope, control }) {
  if (control) control.disabled = true;
  clearErrors(scope());
  let data;
  try {
    data = await gql(doc, variables);
  } catch (e) {
    if (e.code === 'UNAUTHENTICATED') {
      fatal('token');
      return null;
    }
    showUserErrors(scope(), [{ code: e.code, field: [], message: e.code === 'NETWORK' ? t(TEXT, 'offline') : t(TEXT, 'failed', { m: e.message }) }]);
    return null;
  } finally {
    if (control) control.disabled = false;
  }
  const p = data[field];
  if (!p.userErrors.length) return p;
  const before = scope();
  await load().catch(() => {});
  const now = scope() || before;
  const conflict = p.userErrors.some((e) => e.code === 'CONFLICT');
  const errs = p.userErrors.filter((e) => e.code !== 'CONFLICT').map(localise);
  if (conflict) errs.unshift({ code: 'CONFLICT', field: [], message: t(TEXT, 'conflict') });
  else if (now !== before) errs.push({ code: 'STALE', field: [], message: t(TEXT, 'nowIs') });
  showUserErrors(now, errs);
  now?.scrollIntoView?.({ block: 'nearest' });
  return null;
}

// wholeNumber reads a quantity input: a whole number goes to the server
// (which says what is wrong with it), anything else is said here.
function wholeNumber(scope, input) {
  const v = input.value.trim();
  if (/^-?\d{1,6}$/.test(v)) return Number(v);
  showUserErrors(scope, [{ code: 'INVALID', field: ['quantity'], message: t(TEXT, 'wholeNumber') }]);
  return null;
}

async function issue(o, b, control) {
  const scope = () => lineEl(b.line.id);
  const s = scope();
  clearErrors(s);
  const q = wholeNumber(s, s.querySelector('[name="quantity"]'));
  if (q === null) return;
  const drawnBy = s.querySelector('[name="drawnBy"]').value;
  if (!drawnBy) {
    showUserErrors(s, [{ code: 'INVALID', field: ['drawnBy'], message: t(TEXT, 'whoDraws') }]);
    return;
  }
  const input = { orderId: o.id, partId: b.line.part.id, partLineId: b.line.id, quantity: q, drawnBy, idempotencyKey: idem() };
  if (b.job) input.jobId = b.job.id;
  const p = await send({ doc: ISSUE, field: 'issueParts', variables: { input }, scope, control });
  if (!p) return;
  toast(t(TEXT, 'issued', { q, p: b.line.partNumber, who: app.staff.find((u) => u.id === drawnBy)?.shortName || '' }));
  await load();
}

async function giveBack(s, b, control) {
  const scope = () => slipEl(s.id);
  const q = wholeNumber(scope(), scope().querySelector('[name="quantity"]'));
  if (q === null) return;
  const p = await send({ doc: RETURN, field: 'returnParts', variables: { input: { issueId: s.id, quantity: q, idempotencyKey: idem() } }, scope, control });
  if (!p) return;
  toast(t(TEXT, 'returned', { q, p: b.line.partNumber }));
  await load();
}

async function drop(o, b, control) {
  const scope = () => dropEl(b.line.id);
  const reason = scope().querySelector('[name="reason"]').value.trim();
  if (!reason) {
    showUserErrors(scope(), [{ code: 'INVALID', field: ['reason'], message: t(TEXT, 'reasonNeeded') }]);
    return;
  }
  const p = await send({ doc: DROP, field: 'dropPartLine', scope, control,
    variables: { input: { partLineId: b.line.id, expectedVersion: o.version, reason, idempotencyKey: idem() } } });
  if (!p) return;
  app.dropping.delete(b.line.id);
  toast(t(TEXT, 'dropped', { p: b.line.partNumber }));
  await load();
}

async function receive(part, control) {
  const scope = () => receiveEl(part.id);
  const s = scope();
  clearErrors(s);
  const q = wholeNumber(s, s.querySelector('[name="quantity"]'));
  if (q === null) return;
  const reference = s.querySelector('[name="reference"]').value.trim();
  const po = app.poLines[part.id];
  const p = po
    ? await send({ doc: RECEIVE_PO, field: 'receivePurchase', scope, control,
      variables: { input: { purchaseOrderLineId: po.line.id, quantity: q, reference, idempotencyKey: idem() } } })
    : await send({ doc: RECEIVE, field: 'receiveStock', scope, control,
      variables: { input: { partId: part.id, quantity: q, reference, idempotencyKey: idem() } } });
  if (!p) return;
  toast(t(TEXT, 'received', { q, p: part.partNumber }));
  await load();
}

const drawers = () => app.staff.filter((u) => u.role === 'TECHNICIAN' || u.role === 'FOREMAN');

function drawerSelect(preset) {
  return el('select', { name: 'drawnBy' },
    el('option', { value: '' }, t(TEXT, 'pickDrawer')),
    drawers().map((u) => el('option', { value: u.id, selected: u.id === preset }, u.shortName + (u.role === 'FOREMAN' ? ' · ' + t({ zh: '主管', en: 'foreman' }) : ''))));
}

function slipRow(s, b) {
  const out = s.quantity - s.returned;
  return el('li', { class: 'slip', dataset: { issue: s.id, scope: 'issue:' + s.id } },
    el('span', { class: 'slip-text' }, t(TEXT, 'slip', { q: s.quantity, who: s.drawnBy?.shortName || '—', at: app.clock.time(s.issuedAt) }),
      s.returned ? el('span', { class: 'chip' }, t(TEXT, 'slipBack', { n: s.returned })) : null),
    out > 0 ? el('span', { class: 'slip-form' },
      el('label', { class: 'inline' }, t(TEXT, 'retQty'), el('input', { name: 'quantity', type: 'number', inputmode: 'numeric', min: 1, max: out, value: out })),
      el('button', { type: 'button', class: b.unbilled ? 'warn' : '', dataset: { action: 'returnParts' }, onclick: (e) => giveBack(s, b, e.currentTarget) }, t(TEXT, 'ret')))
      : null);
}

function lineRow(o, b) {
  const l = b.line;
  const tech = b.job?.technician?.id || o.jobs.find((j) => j.technician)?.technician.id || '';
  const chips = [
    b.left === 0 && !b.unbilled ? el('span', { class: 'chip ok' }, t(TEXT, 'full')) : null,
    b.short && b.left > 0 ? el('span', { class: 'chip blk-waiting_parts' }, t(TEXT, 'short')) : null,
    b.pending ? el('span', { class: 'chip blk-approval_pending' }, t(TEXT, 'pending')) : null,
    b.unbilled ? el('span', { class: 'chip late' }, t(TEXT, 'unbilled')) : null,
  ];
  const canIssue = b.left > 0 && !b.pending && !b.unbilled;
  const dropping = app.dropping.has(l.id);
  return el('li', { class: 'line' + (b.left > 0 ? ' open' : ' done'), dataset: { partLine: l.id, order: o.id } },
    el('div', { class: 'l1' },
      el('span', { class: 'pn' }, l.partNumber), el('span', { class: 'desc' }, l.description), ...chips,
      el('span', { class: 'job muted' }, b.job ? `${b.job.description}${b.job.technician ? ' · ' + b.job.technician.shortName : ''}` : t(TEXT, 'wholeOrder'))),
    el('div', { class: 'l2' },
      el('span', { class: 'nums' },
        el('strong', { class: 'need' }, t(TEXT, 'need', { n: l.quantity })),
        el('strong', { class: 'drawn', dataset: { drawn: String(b.drawn) } }, t(TEXT, 'drawn', { n: b.drawn })),
        el('span', { class: 'stock' + (l.part.available + b.held < b.left ? ' low' : '') },
          t(TEXT, 'avail', { n: l.part.available }), ' · ', t(TEXT, 'onHand', { n: l.part.onHand }),
          b.held ? ' · ' + t(TEXT, 'held', { n: b.held }) : '')),
      canIssue ? el('div', { class: 'issue-form', dataset: { scope: 'line:' + l.id } },
        el('label', { class: 'inline' }, t(TEXT, 'qty'), el('input', { name: 'quantity', type: 'number', inputmode: 'numeric', min: 1, max: b.left, value: b.left })),
        el('label', { class: 'inline' }, t(TEXT, 'drawer'), drawerSelect(tech)),
        el('button', { type: 'button', class: 'go', dataset: { action: 'issueParts' }, onclick: (e) => issue(o, b, e.currentTarget) }, t(TEXT, 'issue')),
        MAY_DROP.has(app.viewer.role) && b.drawn === 0 && !dropping
          ? el('button', { type: 'button', class: 'quiet', dataset: { open: 'drop' }, onclick: () => { app.dropping.add(l.id); render(); } }, t(TEXT, 'drop')) : null)
        : el('div', { class: 'issue-form' })),
    dropping ? el('div', { class: 'sheet drop-sheet', dataset: { scope: 'drop:' + l.id } },
      el('label', {}, t(TEXT, 'dropReason'), el('input', { name: 'reason', type: 'text', maxlength: 200 })),
      el('div', { class: 'actions' },
        el('button', { type: 'button', class: 'bad', dataset: { action: 'dropPartLine' }, onclick: (e) => drop(o, b, e.currentTarget) }, t(TEXT, 'dropSend')),
        el('button', { type: 'button', onclick: () => { app.dropping.delete(l.id); render(); } }, t(TEXT, 'cancel')))) : null,
    b.slips.length ? el('ul', { class: 'slips' }, b.slips.map((s) => slipRow(s, b))) : null);
}

function orderCard(o, book) {
  const v = o.visit.vehicle;
  return el('article', { class: 'order prio-' + o.priority.toLowerCase() + (toDraw(book) ? ' todo' : ' drawn'), dataset: { order: o.id } },
    el('div', { class: 'head' }, plateEl(v.plate), el('span', { class: 'model' }, [v.make, v.model, v.colour].filter(Boolean).join(' ')),
      o.priority !== 'NORMAL' ? el('span', { class: 'chip prio-' + o.priority.toLowerCase() }, t(STR.priority, o.priority)) : null,
      el('span', { class: 'muted' }, o.number), el('span', { class: 'grow' }), dueChip(o)),
    el('ul', { class: 'lines' }, book.map((b) => lineRow(o, b))));
}

// keyed re-renders a list, keeping the elements whose data did not change
// (a half-typed quantity stays); an element rebuilt keeps the errors shown
// in it.
function keyed(box, items, empty) {
  const keep = new Map([...box.querySelectorAll(':scope > [data-key]')].map((a) => [a.dataset.id, a]));
  box.replaceChildren(...(items.length ? items.map(({ id, key, make }) => {
    const old = keep.get(id);
    if (old && old.dataset.key === key) return old;
    const fresh = make();
    fresh.dataset.key = key;
    fresh.dataset.id = id;
    if (old) carryErrors(old, fresh);
    return fresh;
  }) : [empty]));
}

function carryErrors(old, fresh) {
  for (const scope of old.querySelectorAll('[data-scope]')) {
    const errs = [...scope.querySelectorAll('.field-error, .form-error')];
    const target = errs.length && fresh.querySelector(`[data-scope="${CSS.escape(scope.dataset.scope)}"]`);
    if (target) showUserErrors(target, errs.map((n) => ({ code: n.dataset.code, field: n.dataset.field ? [n.dataset.field] : [], message: n.textContent })));
  }
}

function renderQueue() {
  const minute = Math.floor(app.clock.now() / 60000);
  const list = app.orders.filter((o) => o.state === 'IN_WORK').map((o) => ({ o, book: lineBook(o) })).filter((x) => x.book.length)
    .sort((a, b) => Number(toDraw(b.book)) - Number(toDraw(a.book))
      || (PRIORITY_RANK[a.o.priority] ?? 2) - (PRIORITY_RANK[b.o.priority] ?? 2)
      || Date.parse(a.o.promisedAt || 0) - Date.parse(b.o.promisedAt || 0));
  $('queue-n').textContent = list.filter((x) => toDraw(x.book)).length;
  keyed($('queue'), list.map(({ o, book }) => ({
    id: o.id, key: JSON.stringify([o, minute, app.staff.length, [...app.dropping]]), make: () => orderCard(o, book),
  })), el('p', { class: 'empty' }, t(TEXT, 'none')));
}

function shortCard(p) {
  const waits = app.waiting[p.id] || [];
  const awaited = waits.reduce((n, r) => n + r.outstanding, 0);
  const po = app.poLines[p.id];
  return el('article', { class: 'short', dataset: { part: p.id } },
    el('div', { class: 'l1' }, el('span', { class: 'pn' }, p.partNumber), el('span', { class: 'desc' }, p.description)),
    el('div', { class: 'l2 muted' }, t(TEXT, 'onHand', { n: p.onHand }), ' · ', t(TEXT, 'avail', { n: p.available }),
      po ? ' · ' + t(TEXT, 'poLine', { r: po.po.reference || '—', n: po.line.outstanding }) : ''),
    waits.length ? el('ul', { class: 'waits' }, waits.map((r) => el('li', {},
      r.repairOrder ? [plateEl(r.repairOrder.visit.vehicle.plate), ' ', el('span', { class: 'muted' }, r.repairOrder.number)]
        : el('span', { class: 'muted' }, t(TEXT, 'appointment')),
      el('span', { class: 'chip soon' }, t(TEXT, 'waitingFor', { n: r.outstanding }))))) : null,
    el('div', { class: 'receive-form', dataset: { scope: 'receive:' + p.id } },
      el('label', { class: 'inline' }, t(TEXT, 'qty'), el('input', { name: 'quantity', type: 'number', inputmode: 'numeric', min: 1, value: Math.max(1, po ? Math.min(awaited || 1, po.line.outstanding) : awaited) })),
      el('label', { class: 'inline ref' }, t(TEXT, 'reference'), el('input', { name: 'reference', type: 'text', maxlength: 60 })),
      el('button', { type: 'button', class: 'primary', dataset: { action: po ? 'receivePurchase' : 'receiveStock' }, onclick: (e) => receive(p, e.currentTarget) }, t(TEXT, 'receive'))));
}

function renderShort() {
  const list = app.short.filter((p) => (app.waiting[p.id] || []).length);
  $('short-n').textContent = list.length;
  keyed($('short'), list.map((p) => ({ id: p.id, key: JSON.stringify([p, app.waiting[p.id], app.poLines[p.id]]), make: () => shortCard(p) })),
    el('p', { class: 'empty' }, t(TEXT, 'noShort')));
}

// withPlate draws the car's plate inside an event's text with plateEl, so a
// masked plate reads as on the cards.
function withPlate(text, plate) {
  const i = plate ? text.indexOf(plate) : -1;
  return i < 0 ? text : [text.slice(0, i), plateEl(plate), text.slice(i + plate.length)];
}

function renderFeed() {
  $('feed').replaceChildren(...(app.feed.length ? app.feed.slice(0, 30).map((u) => el('li', { dataset: { kind: u.kind } },
    el('span', { class: 'time' }, app.clock.hm.format(new Date(u.at))),
    el('span', {}, withPlate(eventText(u, app.clock), u.card?.plate))))
    : [el('li', { class: 'empty' }, t(TEXT, 'noFeed'))]));
}

function render() {
  renderQueue();
  renderShort();
  renderFeed();
}

function layout() {
  const panel = (id, key, extra = '') => el('section', { class: 'panel col ' + extra },
    el('h2', {}, el('span', {}, t(TEXT, key)), el('span', { class: 'n', id: id + '-n' })),
    el('div', { id, class: 'items' }));
  const queue = panel('queue', 'queue', 'queue-panel');
  if (!MAY_DROP.has(app.viewer.role)) queue.append(el('p', { class: 'hint muted' }, t(TEXT, 'dropHint')));
  $('main').replaceChildren(queue,
    el('div', { class: 'col side' }, panel('short', 'shortages', 'short-panel'), panel('feed', 'feed', 'feed-panel')));
  const feed = el('ul', { id: 'feed', class: 'feed' });
  $('feed').replaceWith(feed);
}

// waitingFor reads the WAITING reservations of the short parts in one
// request (one alias per part).
async function waitingFor(parts) {
  if (!parts.length) return {};
  const fields = `id state outstanding repairOrder { id number visit { vehicle { plate } } } appointment { id }`;
  const doc = `query Waiting(${parts.map((_, i) => `$p${i}: ID!`).join(', ')}) {
    ${parts.map((_, i) => `p${i}: partReservations(partId: $p${i}, first: 100) { ${fields} }`).join('\n')} }`;
  const data = await gql(doc, Object.fromEntries(parts.map((p, i) => ['p' + i, p.id])));
  return Object.fromEntries(parts.map((p, i) => [p.id, data['p' + i].filter((r) => r.state === 'WAITING')]));
}

async function load() {
  const [orders, data] = await Promise.all([loadOrders(app.site.id, ['IN_WORK'], ORDER), gql(SITE, { id: app.site.id })]);
  const short = data.parts.edges.map((e) => e.node);
  const waiting = await waitingFor(short);
  app.orders = orders;
  app.staff = data.site.staff.slice().sort((a, b) => a.shortName.localeCompare(b.shortName, 'zh'));
  app.short = short;
  app.waiting = waiting;
  app.poLines = {};
  for (const po of data.purchaseOrders) {
    for (const line of po.lines) if (line.outstanding > 0 && !app.poLines[line.part.id]) app.poLines[line.part.id] = { po, line };
  }
  app.loads++;
  render();
}
const reloadSoon = debounce(() => load().catch(() => reloadSoon()), 120);

async function start() {
  const started = await startScreen(TEXT, ['PARTS_CLERK', 'SERVICE_MANAGER', 'ADMIN']);
  if (!started) return;
  Object.assign(app, started);
  layout();
  $('main').addEventListener('input', (e) => {
    const s = e.target.closest('[data-scope]');
    if (s) clearErrors(s);
  });
  await load();
  app.live = await followBoard(app.site, {
    setPill,
    onChange: (u) => {
      if (u?.at) app.clock.sync(u.at);
      if (u?.kind && FEED_KINDS.has(u.kind)) {
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
