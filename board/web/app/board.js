// The wall board (维修管理看板): every car in the workshop by stage, live.
// It loads the board snapshot, follows boardFeed from the snapshot's cursor,
// pages through lanes that hold more cards than fit, and never needs a touch.
// It asks only for board fields: no customer personal data is requested, and
// the server refuses it to a BOARD token anyway.
import { settings, t, gql, pickSite, isAuthError, backoff, Live, Clock, duration, el, reloadDaily } from './common.js';

const TEXT = {
  title: { zh: '维修管理看板', en: 'Workshop board' },
  cars: { zh: '在厂车辆', en: 'Cars in workshop' },
  free: { zh: '今日可用工时', en: 'Free labour today' },
  late: { zh: '超时', en: 'Late' },
  hours: { zh: '{h} 小时', en: '{h} h' },
  carsN: { zh: '{n} 台', en: '{n}' },
  arrivals: { zh: '欢迎光临 · 今日预约', en: 'Welcome · arriving today' },
  noArrivals: { zh: '今日预约均已到店', en: 'All of today’s appointments have arrived' },
  empty: { zh: '—', en: '—' },
  promised: { zh: '承诺', en: 'Due' },
  ready: { zh: '竣工', en: 'Ready' },
  lateBy: { zh: '超时 {d}', en: '{d} late' },
  left: { zh: '剩 {d}', en: '{d} left' },
  inStage: { zh: '停留 {d}', en: 'here {d}' },
  advisor: { zh: '顾问', en: 'SA' },
  tech: { zh: '技师', en: 'Tech' },
  rework: { zh: '返工 {n}', en: 'rework {n}' },
  wash: { zh: '洗车', en: 'wash' },
  live: { zh: '实时', en: 'Live' },
  connecting: { zh: '正在连接…', en: 'Connecting…' },
  reconnecting: { zh: '正在重新连接… 数据截至 {t}', en: 'Reconnecting… data as of {t}' },
  unauthorized: { zh: '看板令牌无效或无权访问此门店', en: 'Board token not accepted for this site' },
  error: { zh: '出错：{m}', en: 'Error: {m}' },
  noToken: {
    zh: '请在地址中加入看板令牌：/board?token=…（可选 &site=门店代码，&lang=en 显示英文）',
    en: 'Add the board token to the address: /board?token=… (optional &site=SITE, &lang=en)',
  },
  urgent: { zh: '急', en: 'Rush' },
  high: { zh: '优', en: 'High' },
  page: { zh: '{i}/{n}', en: '{i}/{n}' },
};

const LANES = {
  WAITING_DISPATCH: { zh: '待派工', en: 'To dispatch' },
  IN_WORK: { zh: '维修中', en: 'In work' },
  WAITING_PARTS: { zh: '待料', en: 'Waiting parts' },
  WAITING_APPROVAL: { zh: '待客户确认', en: 'Approval' },
  CHECKS: { zh: '质检', en: 'Checks / QC' },
  WASH: { zh: '洗车', en: 'Wash' },
  READY: { zh: '竣工待取', en: 'Ready' },
};
const STAGES = Object.keys(LANES);

const BLOCKERS = {
  WAITING_PARTS: { zh: '缺件', en: 'No part' },
  APPROVAL_PENDING: { zh: '增项待确认', en: 'Awaiting OK' },
  QC_FAILED: { zh: '质检未过', en: 'QC failed' },
};

// Promised within this many minutes: amber.
const DUE_SOON = 30;
// Seconds each page of a lane stays on screen.
const PAGE_SECONDS = 10;

const CARD = `
  orderId number state stage stageSince priority plate make model colour advisor
  technicians bays promisedAt readyAt notifyBy late minutesLate blockers progress
  jobsDone jobsTotal reworkCount washRequested dwellLimitMinutes jobs { jobId state }`;
const CAPACITY = 'technicians backlogMinutes freeLabourMinutes at';
const BOARD_QUERY = `query Board($siteId: ID!) {
  board(siteId: $siteId) {
    siteName cursor at
    capacity { ${CAPACITY} }
    cards { ${CARD} }
    arrivals { scheduledAt plate make model advisor }
  }
}`;
const FEED = `subscription BoardFeed($siteId: ID!, $after: String) {
  boardFeed(siteId: $siteId, after: $after) {
    cursor reset kind at orderId
    card { ${CARD} }
    capacity { ${CAPACITY} }
  }
}`;

const $ = (id) => document.getElementById(id);

const board = {
  site: null,
  clock: new Clock(),
  cards: new Map(), // orderId → card
  capacity: null,
  arrivals: [],
  pages: {}, // stage → page shown
  fits: 4, // cards per lane page, measured
  highlight: new Map(), // orderId → until (ms): changed cards glow and their lane shows them
  snapshotLoads: 0,
  updates: 0,
  lastData: null,
  live: null,
  feed: null,
};
// A handle for the browser tests and for a curious technician with devtools.
window.bayboard = board;

const PRIORITY = { URGENT: 0, HIGH: 1, NORMAL: 2 };
function byUrgency(a, b) {
  return (PRIORITY[a.priority] ?? 2) - (PRIORITY[b.priority] ?? 2)
    || (a.promisedAt ? Date.parse(a.promisedAt) : Infinity) - (b.promisedAt ? Date.parse(b.promisedAt) : Infinity)
    || a.number.localeCompare(b.number);
}

// lateness is computed here, not taken from the card, so it grows by the minute.
function minutesLate(c, now) {
  if (!c.promisedAt) return 0;
  const end = c.readyAt ? Date.parse(c.readyAt) : now;
  return Math.floor((end - Date.parse(c.promisedAt)) / 60000);
}

function renderHeader() {
  const now = board.clock.now();
  $('title').textContent = t(TEXT, 'title');
  document.title = t(TEXT, 'title') + (board.site ? ' · ' + board.site.name : '');
  $('site-name').textContent = board.site ? board.site.name : '';
  const cards = [...board.cards.values()];
  const late = cards.filter((c) => !c.readyAt && minutesLate(c, now) > 0).length;
  setStat('stat-cars', t(TEXT, 'cars'), t(TEXT, 'carsN', { n: cards.length }));
  setStat('stat-free', t(TEXT, 'free'), board.capacity ? t(TEXT, 'hours', { h: (board.capacity.freeLabourMinutes / 60).toFixed(1) }) : '–');
  setStat('stat-late', t(TEXT, 'late'), t(TEXT, 'carsN', { n: late }));
  $('stat-late').classList.toggle('bad', late > 0);
  $('arrivals-label').textContent = t(TEXT, 'arrivals');
}

function setStat(id, label, value) {
  const s = $(id);
  s.querySelector('.label').textContent = label;
  s.querySelector('.value').textContent = value;
}

function tickClock() {
  const now = board.clock.now();
  $('clock').textContent = board.clock.hm.format(now);
  $('date').textContent = board.clock.date.format(now);
}

// plateEl splits a masked plate (粤B·•••23) so the mask can be set in a
// narrow Latin face: in CJK fonts the dots are full-width.
function plateEl(p, cls = 'plate') {
  const m = /^([^·•]*)([·•]+)(.*)$/.exec(p || '');
  if (!m) return el('span', { class: cls }, p || '');
  return el('span', { class: cls }, m[1], el('span', { class: 'mask' }, m[2]), m[3]);
}

// promisedText is the promised time, or only its date when it is another day:
// the status beside it already says how far away it is.
function promisedText(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  return board.clock.ymd.format(d) === board.clock.ymd.format(board.clock.now()) ? board.clock.hm.format(d) : board.clock.md.format(d);
}

// running counts the card's jobs being worked on right now.
const running = (c) => (c.jobs || []).filter((j) => j.state === 'IN_PROGRESS').length;

// jobPips shows progress through the jobs: one pip per job, filled when
// done, lit when a technician is working on it (a tap on start shows here).
function jobPips(c) {
  const title = `${c.jobsDone}/${c.jobsTotal}`;
  if (c.jobsTotal > 8 || c.jobsTotal === 0) return el('span', { class: 'jobs', title }, title);
  const run = running(c);
  return el('span', { class: 'jobs pips', title },
    Array.from({ length: c.jobsTotal }, (_, i) => el('i', { class: i < c.jobsDone ? 'done' : i < c.jobsDone + run ? 'run' : '' })));
}

function renderCard(c, now) {
  const late = minutesLate(c, now);
  const isReady = c.stage === 'READY' || !!c.readyAt;
  const dwell = (now - Date.parse(c.stageSince)) / 60000;
  // A card that sits in its lane longer than the server's limit for the lane draws attention.
  const stuck = c.dwellLimitMinutes > 0 && dwell >= c.dwellLimitMinutes;
  let status;
  if (isReady) status = el('span', { class: 'due ok' }, t(TEXT, 'ready') + ' ' + promisedText(c.readyAt));
  else if (c.promisedAt && late > 0) status = el('span', { class: 'due late' }, t(TEXT, 'lateBy', { d: duration(late) }));
  else if (c.promisedAt) status = el('span', { class: 'due' + (-late <= DUE_SOON ? ' soon' : '') }, t(TEXT, 'left', { d: duration(-late) }));
  const flags = [];
  for (const b of c.blockers) flags.push(el('span', { class: 'chip blk-' + b.toLowerCase() }, t(BLOCKERS, b)));
  if (c.reworkCount > 0 && !c.blockers.includes('QC_FAILED')) flags.push(el('span', { class: 'chip rework' }, t(TEXT, 'rework', { n: c.reworkCount })));
  if (stuck) flags.push(el('span', { class: 'chip stuck' }, t(TEXT, 'inStage', { d: duration(dwell) })));
  const glow = (board.highlight.get(c.orderId) || 0) > Date.now();
  return el('article', {
    class: ['card', !isReady && late > 0 && 'is-late', stuck && 'is-stuck', glow && 'is-new', 'prio-' + c.priority.toLowerCase()].filter(Boolean).join(' '),
    dataset: { order: c.orderId, stage: c.stage, running: running(c) },
  },
  el('div', { class: 'row1' }, plateEl(c.plate)),
  el('div', { class: 'row2' },
    el('span', { class: 'model' }, [c.make, c.model].filter(Boolean).join(' ')),
    c.priority !== 'NORMAL' ? el('span', { class: 'prio' }, t(TEXT, c.priority.toLowerCase())) : null,
    c.bays.length ? el('span', { class: 'bay' }, c.bays.join(' ')) : null),
  el('div', { class: 'people' },
    el('span', { class: 'lbl' }, t(TEXT, 'tech')), el('span', { class: 'who' }, c.technicians.join('·') || '—'),
    el('span', { class: 'lbl' }, t(TEXT, 'advisor')), el('span', { class: 'who' }, c.advisor || '—')),
  el('div', { class: 'timing' },
    status,
    isReady || late > 0 ? null : el('span', { class: 'promised', title: t(TEXT, 'promised') }, promisedText(c.promisedAt))),
  el('div', { class: 'flags' }, jobPips(c), flags),
  el('div', { class: 'bar' }, el('div', { class: 'fill', style: `width:${Math.max(0, Math.min(100, c.progress))}%` })));
}

// measure works out how many cards fit in a lane without cutting one off.
function measure() {
  const lanes = $('lanes');
  const body = lanes.querySelector('.lane-body');
  if (!body) return;
  const probe = renderCard({
    orderId: 'probe', number: '', state: 'IN_WORK', stage: 'IN_WORK', stageSince: new Date().toISOString(), priority: 'URGENT',
    plate: '粤B·•••00', make: 'M', model: 'M', colour: 'c', advisor: 'a', technicians: ['t'], bays: ['B01'], promisedAt: null,
    readyAt: null, blockers: ['WAITING_PARTS'], progress: 50, jobsDone: 1, jobsTotal: 2, reworkCount: 0,
  }, Date.now());
  probe.style.visibility = 'hidden';
  body.append(probe);
  const gap = parseFloat(getComputedStyle(body).rowGap) || 0;
  const h = probe.getBoundingClientRect().height;
  probe.remove();
  const avail = body.clientHeight;
  board.fits = Math.max(1, Math.floor((avail + gap) / (h + gap)));
}

function renderLanes() {
  const lanes = $('lanes');
  const byStage = Object.fromEntries(STAGES.map((s) => [s, []]));
  for (const c of board.cards.values()) (byStage[c.stage] ||= []).push(c);
  if (!lanes.children.length) {
    for (const s of STAGES) {
      lanes.append(el('section', { class: 'lane', dataset: { lane: s } },
        el('header', { class: 'lane-head' }, el('span', { class: 'lane-name' }), el('span', { class: 'lane-count' }), el('span', { class: 'lane-page' })),
        el('div', { class: 'lane-body' })));
    }
    measure();
  }
  fill(byStage);
  // A card cut off at the bottom means the measure was off (a font came
  // late): fit one card fewer.
  while (board.fits > 1 && [...lanes.querySelectorAll('.lane-body')].some((b) => b.scrollHeight > b.clientHeight + 1)) {
    board.fits--;
    fill(byStage);
  }
}

function fill(byStage) {
  const now = board.clock.now().getTime();
  const lanes = $('lanes');
  for (const s of STAGES) {
    const cards = byStage[s].sort(byUrgency);
    const pages = Math.max(1, Math.ceil(cards.length / board.fits));
    let page = Math.min(board.pages[s] || 0, pages - 1);
    // A card that just changed is shown: its lane turns to its page.
    const hot = cards.findIndex((c) => (board.highlight.get(c.orderId) || 0) > Date.now());
    if (hot >= 0) page = Math.floor(hot / board.fits);
    board.pages[s] = page;
    const lane = lanes.querySelector(`[data-lane="${s}"]`);
    lane.querySelector('.lane-name').textContent = t(LANES, s);
    lane.querySelector('.lane-count').textContent = cards.length;
    const pageEl = lane.querySelector('.lane-page');
    pageEl.replaceChildren(...(pages > 1 ? Array.from({ length: pages }, (_, i) => el('i', { class: i === page ? 'on' : '' })) : []));
    pageEl.title = pages > 1 ? t(TEXT, 'page', { i: page + 1, n: pages }) : '';
    lane.classList.toggle('empty', cards.length === 0);
    const body = lane.querySelector('.lane-body');
    body.replaceChildren(...cards.slice(page * board.fits, (page + 1) * board.fits).map((c) => renderCard(c, now)));
  }
}

function renderArrivals() {
  const list = $('arrivals-list');
  const items = board.arrivals
    .slice()
    .sort((a, b) => Date.parse(a.scheduledAt) - Date.parse(b.scheduledAt))
    .map((a) => el('div', { class: 'arrival' },
      el('span', { class: 'a-time' }, board.clock.time(a.scheduledAt)),
      plateEl(a.plate, 'a-plate'),
      el('span', { class: 'a-model' }, [a.make, a.model].filter(Boolean).join(' ')),
      a.advisor ? el('span', { class: 'a-adv' }, t(TEXT, 'advisor') + ' ' + a.advisor) : null));
  if (!items.length) items.push(el('div', { class: 'arrival none' }, t(TEXT, 'noArrivals')));
  // Page through the strip too, when it overflows.
  list.replaceChildren(...items);
  board.arrivalPage = 0;
  pageArrivals();
}

function pageArrivals() {
  const list = $('arrivals-list');
  const items = [...list.children];
  if (!items.length) return;
  for (const i of items) i.hidden = false;
  const width = list.clientWidth;
  const pages = [];
  let cur = [];
  let used = 0;
  const gap = parseFloat(getComputedStyle(list).columnGap) || 0;
  for (const i of items) {
    const w = i.getBoundingClientRect().width + gap;
    if (cur.length && used + w > width + gap) {
      pages.push(cur);
      cur = [];
      used = 0;
    }
    cur.push(i);
    used += w;
  }
  pages.push(cur);
  board.arrivalPages = pages.length;
  const p = (board.arrivalPage || 0) % pages.length;
  for (const i of items) i.hidden = !pages[p].includes(i);
}

function render() {
  renderHeader();
  renderLanes();
}

function setConn(state, detail) {
  const c = $('conn');
  c.dataset.state = state;
  const asOf = board.lastData ? board.clock.hm.format(board.lastData) : '—';
  c.textContent = state === 'live' ? t(TEXT, 'live')
    : state === 'reconnecting' ? t(TEXT, 'reconnecting', { t: asOf })
      : state === 'unauthorized' ? t(TEXT, 'unauthorized')
        : state === 'error' ? t(TEXT, 'error', { m: detail || '' })
          : t(TEXT, 'connecting');
  document.body.dataset.conn = state;
}

function applySnapshot(b) {
  board.snapshotLoads++;
  board.clock.sync(b.at);
  board.cards = new Map(b.cards.map((c) => [c.orderId, c]));
  board.capacity = b.capacity;
  board.arrivals = b.arrivals;
  board.lastData = new Date();
  render();
  renderArrivals();
  return b.cursor;
}

async function loadSnapshot() {
  const { board: b } = await gql(BOARD_QUERY, { siteId: board.site.id });
  return applySnapshot(b);
}

// refreshArrivals reloads only the welcome strip (appointments are not cards).
let arrivalsTimer = null;
function refreshArrivalsSoon(ms = 500) {
  clearTimeout(arrivalsTimer);
  arrivalsTimer = setTimeout(async () => {
    try {
      const { board: b } = await gql(`query Arrivals($siteId: ID!) { board(siteId: $siteId) { arrivals { scheduledAt plate make model advisor } } }`, { siteId: board.site.id });
      board.arrivals = b.arrivals;
      renderArrivals();
    } catch { /* the next refresh will do */ }
  }, ms);
}

function onUpdate(u) {
  board.updates++;
  board.lastData = new Date();
  if (u.at) board.clock.sync(u.at);
  if (u.capacity) board.capacity = u.capacity;
  if (u.orderId) {
    const before = board.cards.get(u.orderId);
    if (u.card) {
      board.cards.set(u.orderId, u.card);
      if (!before || before.stage !== u.card.stage) board.highlight.set(u.orderId, Date.now() + 8000);
    } else {
      board.cards.delete(u.orderId);
    }
  }
  if (u.kind && /^APPOINTMENT_|^VEHICLE_RECEIVED$/.test(u.kind)) refreshArrivalsSoon();
  scheduleRender();
}

// Updates arriving in a burst (a replay after a reconnect) render once.
let renderQueued = false;
function scheduleRender() {
  if (renderQueued) return;
  renderQueued = true;
  requestAnimationFrame(() => {
    renderQueued = false;
    render();
  });
}

function notice(msg) {
  const n = $('notice');
  n.textContent = msg;
  n.hidden = !msg;
}

async function start() {
  await document.fonts?.ready;
  renderHeader();
  tickClock();
  setInterval(tickClock, 1000);
  if (!settings.token) {
    notice(t(TEXT, 'noToken'));
    setConn('error', 'token');
    return;
  }
  setConn('connecting');
  // Load the site and the first snapshot, retrying while the server is away.
  for (let n = 0; ; n++) {
    try {
      board.site = await pickSite();
      board.clock = new Clock(board.site.timeZone);
      tickClock();
      board.cursor = await loadSnapshot();
      break;
    } catch (e) {
      if (isAuthError(e)) setConn('unauthorized', e.message);
      else if (e.code === 'NOT_FOUND') setConn('error', e.message);
      else setConn('connecting');
      await new Promise((r) => setTimeout(r, isAuthError(e) || e.code === 'NOT_FOUND' ? 30000 : backoff(n)));
    }
  }
  board.live = new Live({ onState: setConn });
  board.feed = board.live.add({
    field: 'boardFeed',
    query: FEED,
    variables: { siteId: board.site.id },
    cursor: board.cursor,
    onUpdate,
    onReset: loadSnapshot,
  });
  board.live.start();

  // Lanes turn their pages together; lateness and dwell times follow the clock.
  setInterval(() => {
    const now = Date.now();
    for (const [id, until] of board.highlight) if (until < now) board.highlight.delete(id);
    for (const s of STAGES) {
      const cards = [...board.cards.values()].filter((c) => c.stage === s);
      // A lane showing a card that just changed stays on it a while.
      if (cards.some((c) => board.highlight.has(c.orderId))) continue;
      board.pages[s] = (board.pages[s] || 0) + 1;
      if (board.pages[s] * board.fits >= cards.length) board.pages[s] = 0;
    }
    board.arrivalPage = (board.arrivalPage || 0) + 1;
    render();
    pageArrivals();
  }, PAGE_SECONDS * 1000);
  setInterval(render, 30000);
  setInterval(() => refreshArrivalsSoon(0), 5 * 60000);
  addEventListener('resize', () => {
    measure();
    render();
    pageArrivals();
  });
  reloadDaily();
}

start();
