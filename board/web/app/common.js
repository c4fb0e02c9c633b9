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
