// Shared by the wall board and the advisor screen: settings from the URL,
// GraphQL over HTTP, live feeds over graphql-ws with resume, time formatting.
import { createClient } from '../vendor/graphql-ws.js';

const params = new URLSearchParams(location.search);

// takeToken reads the token from the address once and removes it from there
// (history.replaceState): it must not stay in the address bar, the browser's
// history or a screenshot. It is kept in sessionStorage, per page, so a
// reload of this tab (the nightly one included) still has it; a new tab
// or a restarted browser needs the address with ?token= again.
function takeToken() {
  const key = 'bayboard.token:' + location.pathname;
  let token = params.get('token') || '';
  try {
    if (token) sessionStorage.setItem(key, token);
    else token = sessionStorage.getItem(key) || '';
  } catch { /* storage off: the token lives as long as the page */ }
  if (params.has('token')) {
    params.delete('token');
    const rest = params.toString();
    history.replaceState(history.state, '', location.pathname + (rest ? '?' + rest : '') + location.hash);
  }
  return token;
}

// settings are read from the page's URL: ?token=…&site=…&lang=en. The
// token is then taken out of the URL (takeToken).
export const settings = {
  token: takeToken(),
  site: params.get('site') || '',
  lang: (params.get('lang') || document.documentElement.lang || 'zh').toLowerCase().startsWith('en') ? 'en' : 'zh',
};
document.documentElement.lang = settings.lang === 'en' ? 'en' : 'zh-CN';

// t picks the text of the page's language from a {zh, en} pair or a
// dictionary entry; {name} placeholders are filled from vars.
export function t(dict, key, vars) {
  const entry = key === undefined ? dict : dict[key];
  let s = entry === undefined ? String(key) : typeof entry === 'string' ? entry : entry[settings.lang] ?? entry.zh;
  if (vars) s = s.replace(/\{(\w+)\}/g, (_, k) => (vars[k] ?? ''));
  return s;
}

// GraphQLError is a failed request; code is the server's extensions.code,
// or HTTP / NETWORK when the server could not answer.
export class GraphQLError extends Error {
  constructor(message, code) {
    super(message);
    this.code = code;
  }
}

// gql runs a query or mutation over HTTP with the page's bearer token.
export async function gql(query, variables = {}) {
  let res;
  try {
    res = await fetch('/query', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: 'Bearer ' + settings.token },
      body: JSON.stringify({ query, variables }),
      cache: 'no-store',
    });
  } catch (e) {
    throw new GraphQLError(e.message, 'NETWORK');
  }
  let body;
  try {
    body = await res.json();
  } catch {
    throw new GraphQLError('HTTP ' + res.status, res.status === 401 ? 'UNAUTHENTICATED' : 'HTTP');
  }
  if (body.errors?.length) {
    const e = body.errors[0];
    throw new GraphQLError(e.message, e.extensions?.code || (res.status === 401 ? 'UNAUTHENTICATED' : 'ERROR'));
  }
  if (!res.ok) throw new GraphQLError('HTTP ' + res.status, 'HTTP');
  return body.data;
}

// pickSite returns the site named by ?site= (its ID or its code), or the
// first site the token may see.
export async function pickSite() {
  const { sites } = await gql('query Sites { sites { id code name timeZone } }');
  if (!sites.length) throw new GraphQLError('This token sees no site.', 'NOT_FOUND');
  if (!settings.site) return sites[0];
  const want = settings.site.toUpperCase();
  const site = sites.find((s) => s.id === settings.site || s.code.toUpperCase() === want);
  if (!site) throw new GraphQLError('No such site for this token: ' + settings.site, 'NOT_FOUND');
  return site;
}

// fatal codes are the ones a retry soon will not fix.
export const isAuthError = (e) => e?.code === 'UNAUTHENTICATED' || e?.code === 'FORBIDDEN';

// backoff returns the wait before retry n (0-based): 0.5 s doubling to 5 s, with jitter.
export function backoff(n) {
  const base = Math.min(5000, 500 * 2 ** n);
  return base / 2 + Math.random() * base / 2;
}

// Live keeps feeds of one page flowing over one websocket (graphql-ws,
// protocol graphql-transport-ws). Each feed remembers the cursor of the last
// update it applied; whenever the socket closes — server restart, network
// drop, a silent socket — it opens a new one after a short wait and
// subscribes again *after that cursor*, so the server replays exactly what
// was missed. An update with reset:true calls the feed's onReset, which
// reloads the snapshot and returns the cursor to follow from.
//
// graphql-ws would retry by itself, but it re-sends the original variables,
// not the latest cursor; so the client is disposed on every close and this
// loop does the retrying.
export class Live {
  constructor({ onState }) {
    this.feeds = [];
    this.onState = onState;
    this.state = 'connecting';
    this.generation = 0;
    this.failures = 0;
    this.client = null;
    this.timer = null;
    this.lastSeen = Date.now();
    this.connectedOnce = false;
    // A socket that says nothing for this long is dead: the server pings every 20 s.
    this.silenceLimit = 45000;
    setInterval(() => {
      if (this.state === 'live' && Date.now() - this.lastSeen > this.silenceLimit) this.restart('silent');
    }, 5000);
  }

  // add registers a feed: field is the subscription field (e.g. 'boardFeed'),
  // query its document with an $after variable, variables the others,
  // cursor where to start, onUpdate(update) and onReset() → new cursor.
  add(feed) {
    this.feeds.push(feed);
    return feed;
  }

  setState(s, detail) {
    if (this.state === s && !detail) return;
    this.state = s;
    this.onState?.(s, detail);
  }

  start() {
    this.connect();
  }

  // restart drops the socket and reconnects after the backoff wait.
  restart(why) {
    // A feed whose socket keeps closing right after it subscribed, with no
    // update in between, is not being served from its cursor (e.g. a reset
    // lost in the close): after three such closes it starts over from a
    // fresh snapshot.
    if (this.state === 'live') {
      for (const f of this.feeds) f.emptyCloses = f.gotUpdate ? 0 : (f.emptyCloses || 0) + 1;
    }
    const gen = ++this.generation;
    const c = this.client;
    this.client = null;
    if (c) {
      try { c.dispose(); } catch { /* already closed */ }
    }
    if (this.state !== 'unauthorized' && this.state !== 'error') this.setState(this.connectedOnce ? 'reconnecting' : 'connecting', why);
    clearTimeout(this.timer);
    const wait = why === 'reset' ? 0 : backoff(this.failures++);
    this.timer = setTimeout(() => {
      if (gen === this.generation) this.probeThenConnect();
    }, wait);
  }

  // probeThenConnect checks the token over HTTP after repeated failures: a
  // websocket refused at connection_init only says "closed".
  async probeThenConnect() {
    const gen = this.generation;
    if (this.failures >= 2) {
      try {
        await gql('query Probe { viewer { id } }');
      } catch (e) {
        if (gen !== this.generation) return;
        if (isAuthError(e)) {
          this.setState('unauthorized', e.message);
          this.failures = 6; // retry slowly: someone may fix the token
          this.timer = setTimeout(() => gen === this.generation && this.probeThenConnect(), 30000);
          return;
        }
      }
    }
    for (const f of this.feeds) {
      if ((f.emptyCloses || 0) < 3) continue;
      try {
        f.cursor = await f.onReset();
        f.emptyCloses = 0;
        f.restarts = (f.restarts || 0) + 1;
      } catch { /* try the old cursor once more */ }
      if (gen !== this.generation) return;
    }
    if (gen === this.generation) this.connect();
  }

  connect() {
    const gen = ++this.generation;
    const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const client = createClient({
      url: `${proto}//${location.host}/query`,
      connectionParams: { Authorization: 'Bearer ' + settings.token },
      lazy: true,
      retryAttempts: 0,
      keepAlive: 15000,
      on: {
        connected: () => {
          if (gen !== this.generation) return;
          this.failures = 0;
          this.connectedOnce = true;
          this.lastSeen = Date.now();
          this.setState('live');
        },
        message: () => { this.lastSeen = Date.now(); },
        ping: () => { this.lastSeen = Date.now(); },
        pong: () => { this.lastSeen = Date.now(); },
        closed: () => {
          if (gen === this.generation) this.restart('closed');
        },
      },
    });
    this.client = client;
    for (const feed of this.feeds) {
      feed.gotUpdate = false;
      this.subscribe(client, gen, feed);
    }
  }

  subscribe(client, gen, feed) {
    const variables = { ...feed.variables, after: feed.cursor || null };
    client.subscribe({ query: feed.query, variables }, {
      next: async (result) => {
        if (gen !== this.generation) return;
        this.lastSeen = Date.now();
        if (result.errors?.length) {
          this.fail(result.errors[0]);
          return;
        }
        const u = result.data?.[feed.field];
        if (!u) return;
        if (u.reset) {
          // The cursor is too old: reload the snapshot, follow from its cursor.
          this.generation++;
          this.setState('reconnecting', 'reset');
          try {
            feed.resets = (feed.resets || 0) + 1;
            feed.cursor = await feed.onReset();
            this.failures = 0;
            this.restart('reset');
          } catch (e) {
            this.fail(e);
          }
          return;
        }
        feed.cursor = u.cursor;
        feed.gotUpdate = true;
        feed.emptyCloses = 0;
        feed.onUpdate(u);
      },
      error: (err) => {
        if (gen !== this.generation) return;
        if (Array.isArray(err)) this.fail(err[0]);
        else this.restart('error');
      },
      complete: () => {
        // The server ended the feed (e.g. it dropped a slow subscriber): resume.
        if (gen === this.generation) this.restart('complete');
      },
    });
  }

  fail(e) {
    const code = e?.extensions?.code || e?.code;
    if (code === 'UNAUTHENTICATED' || code === 'FORBIDDEN') {
      this.setState('unauthorized', e.message);
      this.failures = 6;
    } else if (code === 'NOT_FOUND' || code === 'INVALID') {
      this.setState('error', e.message);
      this.failures = 6;
    }
    this.restart('error');
  }
}

// Clock formats instants in the site's time zone.
export class Clock {
  constructor(timeZone) {
    const loc = settings.lang === 'en' ? 'en-GB' : 'zh-CN';
    this.tz = timeZone || undefined;
    this.hm = new Intl.DateTimeFormat(loc, { timeZone: this.tz, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    this.hms = new Intl.DateTimeFormat(loc, { timeZone: this.tz, hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
    this.md = new Intl.DateTimeFormat(loc, { timeZone: this.tz, month: 'numeric', day: 'numeric' });
    this.date = new Intl.DateTimeFormat(loc, { timeZone: this.tz, year: 'numeric', month: 'long', day: 'numeric', weekday: 'long' });
    this.ymd = new Intl.DateTimeFormat('en-CA', { timeZone: this.tz, year: 'numeric', month: '2-digit', day: '2-digit' });
    // serverSkew is server time minus this device's: a TV's clock may be wrong.
    this.skew = 0;
  }

  now() { return new Date(Date.now() + this.skew); }

  sync(serverTime) {
    const s = Date.parse(serverTime);
    if (!Number.isNaN(s)) this.skew = s - Date.now();
  }

  // time is "14:05" today, "11/25 14:05" on another day.
  time(iso) {
    if (!iso) return '—';
    const d = new Date(iso);
    const same = this.ymd.format(d) === this.ymd.format(this.now());
    return same ? this.hm.format(d) : this.md.format(d) + ' ' + this.hm.format(d);
  }
}

// duration formats minutes as "45′" / "2h05" (or 分钟/小时 in Chinese).
export function duration(min) {
  min = Math.max(0, Math.round(min));
  if (min < 60) return settings.lang === 'en' ? `${min} min` : `${min}分`;
  if (min >= 24 * 60) {
    const d = Math.floor(min / 1440);
    const h = Math.floor((min % 1440) / 60);
    return settings.lang === 'en' ? `${d} d ${h} h` : `${d}天${h}时`;
  }
  const h = Math.floor(min / 60);
  const m = String(min % 60).padStart(2, '0');
  return settings.lang === 'en' ? `${h} h ${m}` : `${h}时${m}分`;
}

// el builds an element: el('div', {class: 'x', dataset: {a: 1}}, child, 'text', …).
// Text always goes in as text, never as HTML.
export function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') e.className = v;
    else if (k === 'dataset') Object.assign(e.dataset, v);
    else if (k === 'style') e.style.cssText = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

// reloadDaily reloads the page once a night (at about 03:00 on this device)
// when the server answers, so a wall screen picks up a new version.
export function reloadDaily() {
  const next = new Date();
  next.setHours(3, Math.floor(Math.random() * 30), 0, 0);
  if (next <= new Date()) next.setDate(next.getDate() + 1);
  setTimeout(async function tryReload() {
    try {
      const r = await fetch(location.pathname, { method: 'HEAD', cache: 'no-store' });
      if (r.ok) return location.reload();
    } catch { /* server down: try again later */ }
    setTimeout(tryReload, 10 * 60000);
  }, next - new Date());
}

// ---- shared by the floor screens (tablet, dispatch, QC) and the desk ------
// Everything below is API the screens build on: keep it stable.

// STR holds the shared words: states, lanes, reasons, in both languages.
export const STR = {
  jobState: {
    PENDING_APPROVAL: { zh: '待客户确认', en: 'Awaiting approval' }, DECLINED: { zh: '客户拒绝', en: 'Declined' },
    WAITING_DISPATCH: { zh: '待派工', en: 'Waiting dispatch' }, DISPATCHED: { zh: '已派工', en: 'Dispatched' },
    IN_PROGRESS: { zh: '施工中', en: 'In progress' }, PAUSED: { zh: '暂停', en: 'Paused' }, FINISHED: { zh: '待自检', en: 'Self-check due' },
    SELF_CHECKED: { zh: '待班组长检验', en: 'Team-lead check due' }, DONE: { zh: '完成', en: 'Done' }, REWORK: { zh: '返工', en: 'Rework' },
    CANCELLED: { zh: '取消', en: 'Cancelled' },
  },
  orderState: {
    DRAFT: { zh: '估价中', en: 'Draft' }, SIGNED: { zh: '已签字待交车间', en: 'Signed' }, IN_WORK: { zh: '维修中', en: 'In work' },
    QC: { zh: '待总检', en: 'Final inspection' }, WASH: { zh: '洗车', en: 'Wash' }, READY: { zh: '竣工待取', en: 'Ready' },
    SETTLED: { zh: '已结算待交车', en: 'Settled' }, DELIVERED: { zh: '已交车', en: 'Delivered' }, CANCELLED: { zh: '已取消', en: 'Cancelled' },
  },
  stage: {
    WAITING_DISPATCH: { zh: '待派工', en: 'To dispatch' }, IN_WORK: { zh: '维修中', en: 'In work' },
    WAITING_PARTS: { zh: '待料', en: 'Waiting parts' }, WAITING_APPROVAL: { zh: '待客户确认', en: 'Approval' },
    CHECKS: { zh: '质检', en: 'Checks / QC' }, WASH: { zh: '洗车', en: 'Wash' }, READY: { zh: '竣工待取', en: 'Ready' },
  },
  blocker: {
    WAITING_PARTS: { zh: '缺件', en: 'No part' }, APPROVAL_PENDING: { zh: '增项待确认', en: 'Awaiting OK' },
    QC_FAILED: { zh: '质检未过', en: 'QC failed' },
  },
  pauseReason: {
    WAITING_PARTS: { zh: '等待配件', en: 'Waiting for parts' }, BREAK: { zh: '休息', en: 'Break' },
    OTHER_JOB: { zh: '转做其他作业', en: 'Moved to another job' }, OTHER: { zh: '其他原因', en: 'Other reason' },
  },
  priority: { URGENT: { zh: '急', en: 'Rush' }, HIGH: { zh: '优先', en: 'High' }, NORMAL: { zh: '普通', en: 'Normal' } },
  contact: { PHONE: { zh: '电话', en: 'Phone' }, IN_PERSON: { zh: '当面', en: 'In person' }, MESSAGE: { zh: '短信/微信', en: 'Message' } },
};

// EVENT_TEXT is how each event kind reads. Placeholders: {car} the car,
// {job} the job, {tech} its technician, {bay} the bay, {actor} who did it,
// {promised} and {notify} times in the site's zone, {progress} percent,
// {reason} a pause reason. An unknown kind falls back to its name.
const EVENT_TEXT = {
  APPOINTMENT_BOOKED: { zh: '预约已登记', en: 'Appointment booked' },
  APPOINTMENT_CANCELLED: { zh: '预约已取消', en: 'Appointment cancelled' },
  VEHICLE_RECEIVED: { zh: '接车：{car}', en: 'Car received: {car}' },
  ORDER_CREATED: { zh: '开具委托书：{car}', en: 'Repair order drafted: {car}' },
  ORDER_EDITED: { zh: '委托书已修改：{car}', en: 'Repair order changed: {car}' },
  ORDER_SIGNED: { zh: '客户已签字：{car}', en: 'Signed by the customer: {car}' },
  ORDER_HANDED_OVER: { zh: '已交车间：{car}', en: 'Handed to the workshop: {car}' },
  ORDER_CANCELLED: { zh: '委托书已取消：{car}', en: 'Repair order cancelled: {car}' },
  JOB_DISPATCHED: { zh: '派工：{job} → {tech} {bay}', en: 'Dispatched: {job} → {tech} {bay}' },
  JOB_SKILL_SET: { zh: '技能要求：{job}', en: 'Skill needed: {job}' },
  ROTA_CHANGED: { zh: '排班已更新', en: 'Rota changed' },
  SKILLS_SET: { zh: '技师技能已更新', en: 'Technician skills set' },
  JOB_STARTED: { zh: '开工：{job}（{tech}）', en: 'Started: {job} ({tech})' },
  JOB_PAUSED: { zh: '暂停：{job}{reason}', en: 'Paused: {job}{reason}' },
  JOB_RESUMED: { zh: '继续施工：{job}', en: 'Resumed: {job}' },
  JOB_PROGRESS: { zh: '进度 {progress}：{job}', en: 'Progress {progress}: {job}' },
  JOB_FINISHED: { zh: '完工待自检：{job}', en: 'Work finished: {job}' },
  JOB_CANCELLED: { zh: '作业取消：{job}', en: 'Job cancelled: {job}' },
  ADDITIONAL_WORK_REQUESTED: { zh: '发现增项，待客户确认：{car}', en: 'Additional work found, customer to approve: {car}' },
  ADDITIONAL_WORK_APPROVED: { zh: '客户同意增项：{car}', en: 'Customer approved additional work: {car}' },
  ADDITIONAL_WORK_DECLINED: { zh: '客户拒绝增项：{car}', en: 'Customer declined additional work: {car}' },
  SELF_CHECK_RECORDED: { zh: '自检已记录：{job}', en: 'Self-check recorded: {job}' },
  TEAM_LEAD_CHECK_RECORDED: { zh: '班组长检验已记录：{job}', en: 'Team-lead check recorded: {job}' },
  ORDER_SUBMITTED_TO_QC: { zh: '全部作业检验完毕，待总检：{car}', en: 'All jobs checked, to final inspection: {car}' },
  QC_PASSED: { zh: '总检通过：{car}', en: 'Final inspection passed: {car}' },
  QC_FAILED: { zh: '总检未通过，返工：{car}', en: 'Final inspection failed, rework: {car}' },
  WASH_FINISHED: { zh: '洗车完成：{car}', en: 'Washed: {car}' },
  ORDER_READY: { zh: '竣工：{car}{notify}', en: 'Ready: {car}{notify}' },
  ORDER_SETTLED: { zh: '已结算：{car}', en: 'Settled: {car}' },
  ORDER_DELIVERED: { zh: '已交车：{car}', en: 'Delivered: {car}' },
  ORDER_LATE: { zh: '已过承诺时间 {promised}，尚未竣工：{car}', en: 'Past the promised time {promised} and not ready: {car}' },
  PARTS_RESERVED: { zh: '配件已预留：{car}', en: 'Parts reserved: {car}' },
  PART_SHORTAGE: { zh: '缺件，作业待料：{car}', en: 'Part short, job waits: {car}' },
  PARTS_ARRIVED: { zh: '配件到货：{car}', en: 'Parts arrived: {car}' },
  PARTS_RELEASED: { zh: '预留已释放：{car}', en: 'Reservation released: {car}' },
  PARTS_ISSUED: { zh: '配件已出库：{car}', en: 'Parts issued: {car}' },
  PARTS_RETURNED: { zh: '配件退库：{car}', en: 'Parts returned: {car}' },
  STOCK_RECEIVED: { zh: '配件入库', en: 'Stock received' },
  WARRANTY_DECIDED: { zh: '保修判定：{job}', en: 'Warranty decided: {job}' },
  WARRANTY_CLAIM_CHANGED: { zh: '索赔单更新：{car}', en: 'Warranty claim changed: {car}' },
  WARRANTY_PART_RETAINED: { zh: '旧件已留存：{car}', en: 'Warranty part retained: {car}' },
  WARRANTY_PART_DISPOSED: { zh: '旧件已处理', en: 'Warranty part disposed' },
  CALLBACKS_SCHEDULED: { zh: '已安排回访：{car}', en: 'Callbacks scheduled: {car}' },
  CALLBACK_DUE: { zh: '今日回访：{car}', en: 'Callback due: {car}' },
  CALLBACK_RECORDED: { zh: '回访已记录：{car}', en: 'Callback recorded: {car}' },
  COMPLAINT_OPENED: { zh: '客户投诉：{car}', en: 'Complaint opened: {car}' },
  COMPLAINT_ESCALATED: { zh: '投诉已升级：{car}', en: 'Complaint escalated: {car}' },
  COMPLAINT_CLOSED: { zh: '投诉已关闭：{car}', en: 'Complaint closed: {car}' },
  COMPLAINT_CHECKED: { zh: '投诉回访满意：{car}', en: 'Complaint confirmed solved: {car}' },
  SERVICE_PLANNED: { zh: '已计划下次保养', en: 'Service planned' },
  REMINDER_RECORDED: { zh: '保养提醒已完成', en: 'Reminder done' },
};

// eventKindName is the short name of an event kind ("暂停" / "Paused").
export function eventKindName(kind) {
  const s = EVENT_TEXT[kind];
  if (!s) return kind || '';
  return t(s).split(/[：:（(]/)[0].replace(/\s*\{\w+\}$/, '').trim();
}

// eventText renders an event in the viewer's language and the site's time
// zone from its kind and typed fields, never from the server's English
// summary. e is an Event (kind, at, job { description technician { shortName }
// bay { code } pauseReason progress }, order { number promisedAt notifyBy
// visit { vehicle { plate model } } }) or a BoardUpdate (kind, at, jobId,
// card { plate model promisedAt notifyBy jobs { jobId description technician bay progress } }).
// clock is the page's Clock. Missing facts are left out, never invented.
export function eventText(e, clock) {
  const card = e.card || null;
  const order = e.order || null;
  const cj = card && e.jobId ? (card.jobs || []).find((j) => j.jobId === e.jobId) : null;
  const job = e.job || null;
  const plate = card?.plate || order?.visit?.vehicle?.plate || '';
  const model = card?.model || order?.visit?.vehicle?.model || '';
  const promisedAt = order?.promisedAt || card?.promisedAt || (e.kind === 'ORDER_LATE' ? e.at : null);
  const notifyBy = order?.notifyBy || card?.notifyBy;
  const reason = job?.pauseReason ? t(STR.pauseReason, job.pauseReason) : '';
  const progress = job?.progress ?? cj?.progress;
  const vars = {
    car: [plate, model].filter(Boolean).join(' ') || order?.number || card?.number || '—',
    job: job?.description || cj?.description || '—',
    tech: job?.technician?.shortName || cj?.technician || '',
    bay: job?.bay?.code || cj?.bay || '',
    actor: e.actor?.shortName || e.actor?.name || '',
    promised: promisedAt ? clock.time(promisedAt) : '',
    notify: notifyBy ? t({ zh: '，请于 {t} 前通知客户', en: ', tell the customer by {t}' }, undefined, { t: clock.time(notifyBy) }) : '',
    progress: progress === undefined || progress === null ? '' : progress + '%',
    reason: reason ? t({ zh: '（{r}）', en: ' ({r})' }, undefined, { r: reason }) : '',
  };
  const s = EVENT_TEXT[e.kind];
  if (!s) return e.kind || '';
  return t(s, undefined, vars).replace(/\s+([）)])/g, '$1').replace(/（）|\(\)/g, '').trim();
}

// COMMON_TEXT are the words every screen shares.
const COMMON_TEXT = {
  live: { zh: '实时', en: 'Live' },
  connecting: { zh: '正在连接…', en: 'Connecting…' },
  reconnecting: { zh: '正在重新连接…', en: 'Reconnecting…' },
  fatalTitle: { zh: '无法打开此页面', en: 'This screen cannot open' },
  tokenBad: { zh: '登录令牌已失效或不正确', en: 'The sign-in token has lapsed or is wrong' },
  tokenBadHelp: {
    zh: '此页面不会显示任何车间数据。请向服务经理索取新的链接（/{page}?token=…），然后重新打开。',
    en: 'No workshop data is shown. Ask the service manager for a new link (/{page}?token=…) and open it again.',
  },
  tokenMissing: { zh: '地址中缺少登录令牌', en: 'The address has no sign-in token' },
  wrongRole: { zh: '此令牌（{role}）不能使用本页面', en: 'This token ({role}) may not use this screen' },
  wrongRoleHelp: { zh: '请使用{want}的令牌打开。', en: 'Open it with a token of: {want}.' },
  noSite: { zh: '此令牌看不到门店 {site}', en: 'This token sees no site {site}' },
  conflict: { zh: '记录刚被其他人修改，下面显示的是最新状态，请确认后再操作。', en: 'Someone changed this a moment ago: it is shown as it is now. Check it and try again.' },
  failed: { zh: '操作失败：{m}', en: 'Failed: {m}' },
  done: { zh: '已完成', en: 'Done' },
  offline: { zh: '网络中断，操作未提交，请稍后重试。', en: 'No connection: nothing was changed. Try again in a moment.' },
  cancel: { zh: '取消', en: 'Cancel' },
  ok: { zh: '确定', en: 'OK' },
};

// fatal covers the whole page with a message a glance cannot miss: a lapsed
// or wrong token, a token for another role, no such site. The page behind
// is emptied, so it never looks like an empty workshop. kind: 'token',
// 'missing', 'role' or 'site'; vars fill the text (role, want, site).
export function fatal(kind, vars = {}) {
  const page = location.pathname.replace(/^\//, '') || 'board';
  const title = kind === 'role' ? t(COMMON_TEXT, 'wrongRole', vars)
    : kind === 'site' ? t(COMMON_TEXT, 'noSite', vars)
      : kind === 'missing' ? t(COMMON_TEXT, 'tokenMissing') : t(COMMON_TEXT, 'tokenBad');
  const help = kind === 'role' ? t(COMMON_TEXT, 'wrongRoleHelp', vars) : t(COMMON_TEXT, 'tokenBadHelp', { page });
  for (const c of [...document.body.children]) c.hidden = true;
  document.getElementById('fatal')?.remove();
  document.body.dataset.fatal = kind;
  document.body.append(el('div', { id: 'fatal', class: 'fatal', role: 'alert', dataset: { kind } },
    el('div', { class: 'fatal-box' },
      el('div', { class: 'fatal-icon', 'aria-hidden': 'true' }), // drawn in CSS: no emoji font on a workshop PC
      el('h1', { class: 'fatal-title' }, title),
      el('p', { class: 'fatal-help' }, help),
      el('p', { class: 'fatal-sub' }, t(COMMON_TEXT, 'fatalTitle')))));
}

// connText is the connection state in words, for a status pill.
export function connText(state, detail) {
  if (state === 'error') return t({ zh: '出错：{m}', en: 'Error: {m}' }, undefined, { m: detail || '' });
  return t(COMMON_TEXT, state === 'unauthorized' ? 'connecting' : state);
}

// boot opens a screen: the token from the address, the viewer, the site and
// its clock. A missing, lapsed or wrong token, or a role not in roles, ends
// in fatal(); a server away is retried. Returns { viewer, site, clock }.
export async function boot({ roles, onWait } = {}) {
  if (!settings.token) {
    fatal('missing');
    throw new GraphQLError('no token', 'UNAUTHENTICATED');
  }
  for (let n = 0; ; n++) {
    try {
      const { viewer } = await gql('query Me { viewer { id name shortName role teamLead team } }');
      if (roles && !roles.includes(viewer.role)) {
        fatal('role', { role: viewer.role, want: roles.length > 4 ? t({ zh: '员工本人', en: 'a member of staff' }) : roles.join(' / ') });
        throw new GraphQLError('role', 'FORBIDDEN');
      }
      const site = await pickSite();
      return { viewer, site, clock: new Clock(site.timeZone) };
    } catch (e) {
      if (e.code === 'FORBIDDEN' && e.message === 'role') throw e;
      if (isAuthError(e)) {
        fatal('token');
        throw e;
      }
      if (e.code === 'NOT_FOUND') {
        fatal('site', { site: settings.site });
        throw e;
      }
      onWait?.(e);
      await new Promise((r) => setTimeout(r, backoff(n)));
    }
  }
}

// setConnPill shows the live connection's state in the header's #conn pill.
export function setConnPill(state, detail) {
  const pill = document.getElementById('conn');
  pill.dataset.state = state;
  pill.textContent = connText(state, detail);
}

// startScreen starts a floor screen: its title (text.title), the pill
// connecting, boot (a staff token; a wrong one ends in the full-screen
// message and null), who is signed in where, a warning toast when the role
// is not one the screen is for (text.wrongRole), and the header clock. It
// returns boot's { viewer, site, clock }, or null.
export async function startScreen(text, forRoles) {
  const $ = (id) => document.getElementById(id);
  $('title').textContent = t(text, 'title');
  document.title = t(text, 'title') + ' · Bayboard';
  setConnPill('connecting');
  let s;
  try {
    s = await boot({ roles: STAFF_ROLES });
  } catch {
    return null;
  }
  $('who').textContent = `${s.viewer.name} · ${s.site.name}`;
  if (forRoles && !forRoles.includes(s.viewer.role)) toast(t(text, 'wrongRole', { r: s.viewer.role }), 'warn');
  const tick = () => { $('clock').textContent = s.clock.hm.format(s.clock.now()); };
  tick();
  setInterval(tick, 1000);
  return s;
}

// STAFF_ROLES are the roles that may open a working screen: everyone but a
// wall board display, whose token sees no personal data and acts on nothing.
export const STAFF_ROLES = ['ADVISOR', 'FOREMAN', 'TECHNICIAN', 'QC_INSPECTOR', 'PARTS_CLERK', 'WARRANTY_CLERK', 'CASHIER',
  'CALLBACK_STAFF', 'SERVICE_MANAGER', 'ADMIN'];

// liveState is an onState for Live that also turns a token refused on the
// socket into the full-screen message.
export function liveState(setPill) {
  return (state, detail) => {
    if (state === 'unauthorized') fatal('token');
    setPill?.(state, detail);
  };
}

// clearErrors removes the userErrors shown inside scope.
export function clearErrors(scope) {
  scope?.querySelectorAll('.field-error, .form-error').forEach((n) => n.remove());
  scope?.querySelectorAll('[aria-invalid]').forEach((n) => n.removeAttribute('aria-invalid'));
}

// showUserErrors puts each userError next to its field inside scope: the
// control whose name (or data-field) is the last segment of error.field.
// Errors without a field, or whose field is not on screen, go at the top of
// scope. Each is a sentence from the server, shown as text.
export function showUserErrors(scope, errors) {
  clearErrors(scope);
  if (!scope) return;
  for (const e of errors) {
    const name = (e.field || []).filter((f) => f !== 'input').at(-1);
    const ctl = name ? scope.querySelector(`[name="${CSS.escape(name)}"], [data-field="${CSS.escape(name)}"]`) : null;
    const label = ctl?.closest('label')?.firstChild?.textContent?.trim() || '';
    const text = errorText(e, label);
    const msg = el('div', { class: 'field-error', role: 'alert', title: text === e.message ? null : e.message, dataset: { code: e.code, field: name || '' } }, text);
    if (ctl) {
      ctl.setAttribute('aria-invalid', 'true');
      (ctl.closest('label') || ctl).after(msg);
    } else {
      msg.className = 'form-error';
      scope.prepend(msg);
    }
  }
}

// ERROR_TEXT says a server's userError in the viewer's language when the
// server's sentence is English and the screen is not: by its code, naming
// the field by its label on screen. The server's sentence stays as the title.
const ERROR_TEXT = {
  empty: { zh: '请填写「{f}」。', en: '' },
  INVALID: { zh: '「{f}」填写有误，请检查。', en: '' },
  INVALID_NOFIELD: { zh: '输入有误，请检查。（{m}）', en: '' },
  INVALID_TRANSITION: { zh: '当前状态不允许此操作，页面已按最新状态显示。（{m}）', en: '' },
  FORBIDDEN: { zh: '您的角色不能执行此操作。', en: '' },
  NOT_FOUND: { zh: '记录不存在，或您无权查看。', en: '' },
};

// errorText is a userError's sentence for this screen (see ERROR_TEXT).
export function errorText(e, label = '') {
  if (settings.lang === 'en' || !/^[\x20-\x7e]+$/.test(e.message || '')) return e.message;
  let key = e.code;
  if (e.code === 'INVALID' && label && /empty|required|missing/i.test(e.message)) key = 'empty';
  else if (e.code === 'INVALID' && !label) key = 'INVALID_NOFIELD';
  const s = ERROR_TEXT[key];
  return s ? t(s, undefined, { f: label, m: e.message }) : e.message;
}

// act runs one mutation from a control: document is the mutation with its
// payload selection (which should include userErrors { code field message }
// and the record), field the mutation's name, variables its variables.
// The control (a button) is disabled meanwhile. On userErrors they are shown
// in scope (showUserErrors); on CONFLICT onConflict(payload) is called with
// the payload, whose record is the record as it is now, and a note says so.
// Returns the payload when nothing went wrong, otherwise null.
//
// scope may be a function returning the element: a screen that re-renders
// the record on CONFLICT passes one, so the note lands on the new element.
export async function act({ document: doc, field, variables, scope: scopeOf, control, onConflict }) {
  const scope = () => (typeof scopeOf === 'function' ? scopeOf() : scopeOf);
  if (control) control.disabled = true;
  clearErrors(scope());
  try {
    const data = await gql(doc, variables);
    const p = data[field];
    if (p?.userErrors?.length) {
      if (p.userErrors.some((e) => e.code === 'CONFLICT')) {
        await onConflict?.(p);
        showUserErrors(scope(), [{ code: 'CONFLICT', field: [], message: t(COMMON_TEXT, 'conflict') },
          ...p.userErrors.filter((e) => e.code !== 'CONFLICT')]);
      } else {
        showUserErrors(scope(), p.userErrors);
      }
      return null;
    }
    return p;
  } catch (e) {
    if (isAuthError(e) && e.code === 'UNAUTHENTICATED') {
      fatal('token');
      return null;
    }
    showUserErrors(scope(), [{ code: e.code, field: [], message: e.code === 'NETWORK' ? t(COMMON_TEXT, 'offline') : t(COMMON_TEXT, 'failed', { m: e.message }) }]);
    return null;
  } finally {
    if (control) control.disabled = false;
  }
}

// idem returns a fresh idempotency key: a retried tap does not act twice.
export const idem = () => (crypto.randomUUID ? crypto.randomUUID() : String(Date.now()) + Math.random().toString(36).slice(2));

// toast shows a short note at the bottom of the screen for a few seconds.
export function toast(msg, kind = 'ok') {
  let box = document.getElementById('toasts');
  if (!box) {
    box = el('div', { id: 'toasts', class: 'toasts', role: 'status', 'aria-live': 'polite' });
    document.body.append(box);
  }
  const n = el('div', { class: 'toast ' + kind }, msg);
  box.append(n);
  setTimeout(() => n.remove(), 4000);
}

// plateText splits a masked plate (粤B·•••23) so the mask can be set in a
// narrow face; a full plate is returned as it is.
export function plateEl(p, cls = 'plate') {
  const m = /^([^·•]*)([·•]+)(.*)$/.exec(p || '');
  if (!m) return el('span', { class: cls }, p || '');
  return el('span', { class: cls }, m[1], el('span', { class: 'mask' }, m[2]), m[3]);
}

// loadOrders reads every repair order of a site in the given states (up to
// 1,000, page by page) with the selection fields; the floor screens build
// their lists from them.
export async function loadOrders(siteId, states, fields) {
  const doc = `query FloorOrders($siteId: ID!, $states: [RepairOrderState!], $after: String) {
    repairOrders(siteId: $siteId, states: $states, first: 100, after: $after) {
      edges { node { ${fields} } } pageInfo { hasNextPage endCursor } } }`;
  const out = [];
  let after = null;
  for (let i = 0; i < 10; i++) {
    const { repairOrders: c } = await gql(doc, { siteId, states, after });
    for (const e of c.edges) out.push(e.node);
    if (!c.pageInfo.hasNextPage) break;
    after = c.pageInfo.endCursor;
  }
  return out;
}

// followBoard keeps a screen live: it follows the site's boardFeed from the
// board's cursor (resuming after every reconnect) and calls onChange(update)
// for each change; after a reset it calls onChange(null) so the screen reloads
// all. setPill(state) shows the connection. Returns the Live.
export async function followBoard(site, { onChange, setPill, card = 'plate model number promisedAt notifyBy jobs { jobId description technician bay progress }' }) {
  const cursorOf = async () => (await gql('query Cursor($siteId: ID!) { board(siteId: $siteId) { cursor at } }', { siteId: site.id })).board;
  const b = await cursorOf();
  const live = new Live({ onState: liveState(setPill) });
  live.add({
    field: 'boardFeed',
    query: `subscription FloorFeed($siteId: ID!, $after: String) {
      boardFeed(siteId: $siteId, after: $after) { cursor reset kind at orderId jobId card { ${card} } } }`,
    variables: { siteId: site.id },
    cursor: b.cursor,
    onUpdate: (u) => onChange(u),
    onReset: async () => {
      const c = await cursorOf();
      onChange(null);
      return c.cursor;
    },
  });
  live.start();
  return live;
}

// debounce returns fn delayed until calls stop for ms.
export function debounce(fn, ms) {
  let timer = null;
  return (...a) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...a), ms);
  };
}

// PRIORITY_RANK orders priorities, most urgent first.
export const PRIORITY_RANK = { URGENT: 0, HIGH: 1, NORMAL: 2 };
