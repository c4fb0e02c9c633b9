// Helpers of the browser tests: a fresh database, the real server binary
// started and stopped at will, GraphQL calls with demo tokens, and Debian's
// chromium driven by playwright-core.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import net from 'node:net';
import { chromium } from 'playwright-core';

export const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const screenshots = join(repo, 'e2e', 'screenshots');

const env = { ...process.env };
if (existsSync('/usr/local/go/bin') && !(env.PATH || '').split(':').includes('/usr/local/go/bin')) {
  env.PATH = `${env.PATH}:/usr/local/go/bin`;
}

// buildServer builds bin/bayboard (BAYBOARD_BIN names a ready one instead).
export function buildServer() {
  if (process.env.BAYBOARD_BIN) return resolve(process.env.BAYBOARD_BIN);
  execFileSync('go', ['build', '-o', 'bin/bayboard', '.'], { cwd: repo, env, stdio: 'inherit' });
  return join(repo, 'bin', 'bayboard');
}

// adminURL is the maintenance database of the server DATABASE_URL points at
// (the private one of scripts/pg.sh when unset).
function adminURL() {
  const u = new URL(process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:54329/bayboard?sslmode=disable');
  u.pathname = '/postgres';
  return u;
}

// createDatabase makes an empty database and returns its URL; drop it with dropDatabase.
export function createDatabase() {
  const name = `bayboard_browser_${process.pid}_${Date.now().toString(36)}`;
  const admin = adminURL();
  execFileSync('psql', [admin.toString(), '-v', 'ON_ERROR_STOP=1', '-qc', `CREATE DATABASE ${name}`], { env, stdio: 'inherit' });
  const u = new URL(admin);
  u.pathname = '/' + name;
  if (!u.searchParams.has('sslmode')) u.searchParams.set('sslmode', 'disable');
  return { name, url: u.toString() };
}

export function dropDatabase(name) {
  execFileSync('psql', [adminURL().toString(), '-qc', `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`], { env, stdio: 'inherit' });
}

export async function freePort() {
  return new Promise((ok, fail) => {
    const s = net.createServer();
    s.unref();
    s.on('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Server is one bayboard process: `serve --demo` on a port of its own;
// args are more settings (e.g. ['--webhook-allow-private']).
export class Server {
  constructor({ bin, dbURL, port, args = [] }) {
    Object.assign(this, { bin, dbURL, port, args });
    this.base = `http://127.0.0.1:${port}`;
    this.proc = null;
    this.tokens = [];
  }

  async start() {
    let out = '';
    let err = '';
    const proc = spawn(this.bin, ['serve', '--demo', '--addr', `127.0.0.1:${this.port}`, '--database-url', this.dbURL,
      '--log-format', 'text', '--log-level', 'warn', '--shutdown-timeout', '2s', ...this.args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.proc = proc;
    proc.stdout.on('data', (b) => { out += b; });
    proc.stderr.on('data', (b) => { err += b; });
    const exited = new Promise((r) => proc.on('exit', (code) => r(code)));
    this.exited = exited;
    const deadline = Date.now() + 180000; // seeding the demo day takes a while on a small machine
    for (;;) {
      const code = await Promise.race([exited, sleep(200).then(() => undefined)]);
      if (code !== undefined) throw new Error(`bayboard exited with ${code}:\n${out}\n${err}`);
      if (/Demo bearer tokens[\s\S]*\n\s*\n/.test(out)) break;
      if (Date.now() > deadline) throw new Error(`bayboard did not start:\n${out}\n${err}`);
    }
    this.tokens = [...out.matchAll(/^\s+([A-Z_]+)\s+(\S+)\s+(\S+)\s*$/gm)].map((m) => ({ role: m[1], name: m[2], token: m[3] }));
    for (;;) {
      try {
        const r = await fetch(this.base + '/readyz');
        if (r.ok) break;
      } catch { /* not yet */ }
      if (Date.now() > deadline) throw new Error('bayboard not ready:\n' + err);
      await sleep(100);
    }
    return this;
  }

  // token returns the first demo token of a role (and, if given, whose token contains hint).
  token(role, hint = '') {
    const t = this.tokens.find((x) => x.role === role && x.token.includes(hint));
    if (!t) throw new Error(`no demo token for ${role} ${hint}; have ${this.tokens.map((x) => x.token).join(', ')}`);
    return t.token;
  }

  async stop() {
    if (!this.proc || this.proc.exitCode !== null) return;
    this.proc.kill('SIGTERM');
    const code = await Promise.race([this.exited, sleep(10000).then(() => 'timeout')]);
    if (code === 'timeout') {
      this.proc.kill('SIGKILL');
      await this.exited;
    }
  }

  // gql posts a query with a bearer token and fails on any error.
  async gql(token, query, variables = {}) {
    const r = await fetch(this.base + '/query', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: 'Bearer ' + token },
      body: JSON.stringify({ query, variables }),
    });
    const body = await r.json();
    if (body.errors?.length) throw new Error(`${body.errors[0].message} (${JSON.stringify(body.errors[0].extensions)})`);
    for (const v of Object.values(body.data || {})) {
      if (v?.userErrors?.length) throw new Error('userErrors: ' + JSON.stringify(v.userErrors));
    }
    return body.data;
  }
}

// launchBrowser starts Debian's chromium (npx playwright install cannot work
// here) with a fresh profile; close() also removes the profile.
export async function launchBrowser() {
  const profile = mkdtempSync(join(tmpdir(), 'bayboard-chromium-'));
  const ctx = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1920, height: 1080 },
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
  });
  const close = async () => {
    await ctx.close().catch(() => {});
    rmSync(profile, { recursive: true, force: true });
  };
  return { ctx, close };
}

// watch records everything a page receives from the server: HTTP bodies of
// /query and websocket frames, for the personal-data check.
export function watch(page) {
  const seen = { http: [], frames: [], errors: [], console: [] };
  page.on('response', async (r) => {
    if (!r.url().includes('/query')) return;
    try { seen.http.push(await r.text()); } catch { /* navigated away */ }
  });
  page.on('websocket', (ws) => ws.on('framereceived', (f) => seen.frames.push(String(f.payload))));
  page.on('pageerror', (e) => seen.errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') seen.console.push(m.text()); });
  return seen;
}

export function shotPath(name) {
  mkdirSync(screenshots, { recursive: true });
  return join(screenshots, name);
}
