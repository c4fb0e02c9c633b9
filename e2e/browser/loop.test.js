// The whole customer loop in the browser (issue 17, "Done when"): the
// technician fills the car's inspection on /tablet, a red brake item with a
// photo from the camera input, and proposes the red and the amber finding as
// additional work in one tap each; the advisor sends the approval link from
// /advisor; a webhook receiver in this process (registered with
// createWebhookEndpoint) gets the approval request with the link, signed as
// Standard Webhooks says; the customer opens the link on a phone-sized page
// (390×844), approves one item and declines the other; the open tablet and
// the open wall board show the answers within 2 s. Screenshots:
// e2e/screenshots/loop-*.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import crypto from 'node:crypto';
import zlib from 'node:zlib';
import { EventEmitter } from 'node:events';
import { buildServer, createDatabase, dropDatabase, freePort, Server, launchBrowser, watch, shotPath } from './lib.js';

const LIVE = 2000; // an answer on the customer's page shows on the tablet and the board within this

// png draws a small photo (a worn brake disc: grey with a rust ring) as a
// real PNG the server checks by content and re-encodes.
function png(w, h) {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (buf) => {
    let c = 0xffffffff;
    for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type, data) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type), data]);
    const c = Buffer.alloc(4);
    c.writeUInt32BE(crc(td));
    return Buffer.concat([len, td, c]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  const raw = Buffer.alloc(h * (1 + 3 * w));
  for (let y = 0; y < h; y++) {
    raw[y * (1 + 3 * w)] = 0;
    for (let x = 0; x < w; x++) {
      const r = Math.hypot(x - w / 2, y - h / 2) / (Math.min(w, h) / 2);
      const rgb = r < 0.25 ? [60, 60, 66] : r < 0.75 ? [150, 150, 158] : r < 0.95 ? [168, 84, 30] : [32, 36, 40];
      rgb.forEach((v, i) => { raw[y * (1 + 3 * w) + 1 + 3 * x + i] = v; });
    }
  }
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr), chunk('IDAT', zlib.deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

// verify checks a delivery's Standard Webhooks signature: v1, base64 of
// HMAC-SHA256 over "id.timestamp.body" keyed with the base64 after "whsec_".
function verify(secret, headers, body) {
  const id = headers['webhook-id'];
  const ts = headers['webhook-timestamp'];
  if (!id || !ts || !headers['webhook-signature']) return false;
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  const want = 'v1,' + crypto.createHmac('sha256', key).update(`${id}.${ts}.${body}`).digest('base64');
  return headers['webhook-signature'].split(' ').some((s) => s.length === want.length
    && crypto.timingSafeEqual(Buffer.from(s), Buffer.from(want)));
}

// Receiver is a webhook endpoint: it keeps every POST and says when one came.
class Receiver extends EventEmitter {
  constructor() {
    super();
    this.posts = [];
    this.srv = http.createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (d) => { body += d; });
      req.on('end', () => {
        const post = { headers: req.headers, body, json: JSON.parse(body) };
        this.posts.push(post);
        res.writeHead(204).end();
        this.emit('post', post);
      });
    });
  }

  async listen() {
    await new Promise((ok) => this.srv.listen(0, '127.0.0.1', ok));
    return `http://127.0.0.1:${this.srv.address().port}/hook`;
  }

  // waitFor resolves with the first POST (come or to come) that pred accepts.
  waitFor(pred, timeout) {
    const found = this.posts.find(pred);
    if (found) return Promise.resolve(found);
    return new Promise((ok, fail) => {
      const on = (p) => {
        if (!pred(p)) return;
        clearTimeout(timer);
        this.off('post', on);
        ok(p);
      };
      const timer = setTimeout(() => {
        this.off('post', on);
        fail(new Error(`no matching webhook within ${timeout} ms; got ${this.posts.map((p) => p.json.type).join(', ')}`));
      }, timeout);
      this.on('post', on);
    });
  }
}

let bin, db, server, browser, tokens, site, receiver, endpoint, boardPage;

before(async () => {
  bin = buildServer();
  db = createDatabase();
  receiver = new Receiver();
  const hookURL = await receiver.listen();
  // The receiver is on this machine: the SSRF guard must be told to allow it.
  server = await new Server({ bin, dbURL: db.url, port: await freePort(), args: ['--webhook-allow-private', '--webhook-interval', '300ms'] }).start();
  tokens = {
    advisor: server.token('ADVISOR'), tech: server.token('TECHNICIAN', 'zhang'), foreman: server.token('FOREMAN', 'liqiang'),
    manager: server.token('SERVICE_MANAGER'), board: server.token('BOARD', 'sz01'),
  };
  ({ sites: [site] } = await server.gql(tokens.advisor, '{ sites { id code } }'));
  ({ createWebhookEndpoint: { endpoint } } = await server.gql(tokens.manager, `mutation($in: CreateWebhookEndpointInput!) {
    createWebhookEndpoint(input: $in) { endpoint { id secret } userErrors { code field message } } }`, { in: {
    siteId: site.id, url: hookURL, description: '短信网关（测试）', messages: true, eventKinds: ['ADDITIONAL_WORK_APPROVED', 'ADDITIONAL_WORK_DECLINED'] } }));
  browser = await launchBrowser();
  boardPage = await browser.ctx.newPage();
  await boardPage.goto(`${server.base}/board?token=${tokens.board}`);
  await boardPage.waitForSelector('#conn[data-state="live"]', { timeout: 15000 });
});

after(async () => {
  await browser?.close();
  await server?.stop();
  receiver?.srv.close();
  if (db) dropDatabase(db.name);
});

// carInWork brings a car for its 35000 km service through reception,
// signature and hand-over, and dispatches its job to the technician.
async function carInWork() {
  const plate = '粤B' + String(Date.now()).slice(-5);
  const { receiveVehicle: { visit } } = await server.gql(tokens.advisor, `mutation R($in: ReceiveVehicleInput!) {
    receiveVehicle(input: $in) { visit { id } userErrors { code message } } }`, { in: {
    siteId: site.id, customer: { name: '林女士', phone: '13912345678' }, vehicle: { plate, make: '本田', model: '雅阁', colour: '黑' },
    mileage: 35200, fuelLevel: 50, keyTag: 'K88', complaint: '35000 公里保养', walkaroundSigned: true } });
  const { createRepairOrder: { repairOrder: ro } } = await server.gql(tokens.advisor, `mutation C($in: CreateRepairOrderInput!) {
    createRepairOrder(input: $in) { repairOrder { id jobs { id } } userErrors { code message } } }`, { in: {
    visitId: visit.id, workType: 'MAINTENANCE', jobs: [{ description: '35000 公里保养', labourMinutes: 90 }] } });
  await server.gql(tokens.advisor, `mutation S($in: SignRepairOrderInput!) { signRepairOrder(input: $in) { userErrors { code message } } }`,
    { in: { orderId: ro.id, signedBy: '林女士', promisedAt: new Date(Date.now() + 4 * 3600e3).toISOString() } });
  await server.gql(tokens.advisor, `mutation H($in: HandOverRepairOrderInput!) { handOverRepairOrder(input: $in) { userErrors { code message } } }`,
    { in: { orderId: ro.id } });
  const { viewer: tech } = await server.gql(tokens.tech, '{ viewer { id } }');
  const { site: s } = await server.gql(tokens.foreman, 'query($s: ID!) { site(id: $s) { bays { id code } } }', { s: site.id });
  await server.gql(tokens.foreman, `mutation D($in: DispatchJobInput!) { dispatchJob(input: $in) { userErrors { code message } } }`,
    { in: { jobId: ro.jobs[0].id, technicianId: tech.id, bayId: s.bays.find((b) => b.code === 'B10').id } });
  return { orderId: ro.id, plate };
}

// within waits on a page until fn(arg) holds, at most ms after since; it
// fails saying how late the change came, or that it never did.
async function within(page, what, fn, arg, since, ms = LIVE) {
  try {
    await page.waitForFunction(fn, arg, { timeout: Math.max(1, ms - (Date.now() - since)) });
  } catch {
    const late = await page.waitForFunction(fn, arg, { timeout: 10000 }).then(() => `${Date.now() - since} ms`, () => 'never');
    assert.fail(`${what}: came after ${late}, want within ${ms} ms`);
  }
  return Date.now() - since;
}

// showPanel scrolls the car's inspection to the top of the screen, below the
// sticky header, for a screenshot, once the notes of the last taps are gone.
async function showPanel(page, panel) {
  await page.evaluate(() => document.activeElement?.blur());
  await page.waitForFunction(() => !document.querySelector('#toasts .toast'), null, { timeout: 6000 });
  await page.evaluate((sel) => {
    const top = document.querySelector(sel).getBoundingClientRect().top + window.scrollY;
    window.scrollTo(0, top - document.querySelector('.top').offsetHeight - 8);
  }, panel);
}

const boardBlocked = ({ id, blocked }) => {
  const c = window.bayboard.cards.get(id);
  return !!c && c.blockers.includes('APPROVAL_PENDING') === blocked;
};

test('inspection on the tablet, link from the advisor, answers on the phone: tablet and board follow, the webhook got the link', async () => {
  const car = await carInWork();
  await server.gql(tokens.manager, `mutation($in: CreateInspectionChecklistInput!) {
    createInspectionChecklist(input: $in) { checklist { id } userErrors { code message } } }`, { in: {
    siteId: site.id, name: '35000 公里保养', workType: 'MAINTENANCE',
    entries: [{ name: '前刹车片', labourMinutes: 60 }, { name: '雨刮片', labourMinutes: 10 }, { name: '轮胎' }, { name: '机油液位' }] } });

  // The technician on the tablet (1280×800): start the checklist on his car.
  const tablet = await browser.ctx.newPage();
  const tseen = watch(tablet);
  await tablet.setViewportSize({ width: 1280, height: 800 });
  await tablet.goto(`${server.base}/tablet?token=${tokens.tech}`);
  await tablet.waitForSelector('#conn[data-state="live"]', { timeout: 15000 });
  const panel = `#inspections .insp[data-order="${car.orderId}"]`;
  await tablet.click(`${panel} [data-action="startInspection"]`, { timeout: 5000 });
  await tablet.waitForSelector(`${panel} .insp-item`, { timeout: 3000 });
  const names = await tablet.locator(`${panel} .insp-item .name`).allTextContents();
  assert.equal(names.length, 4, names.join(' | '));
  const rowOf = async (name) => `${panel} .insp-item[data-item="${await tablet.locator(`${panel} .insp-item`, { hasText: name }).getAttribute('data-item')}"]`;
  const brakes = await rowOf('前刹车片');
  const wipers = await rowOf('雨刮片');
  const tyres = await rowOf('轮胎');
  const oil = await rowOf('机油液位');

  // Every control a finger uses is at least 44 px.
  for (const sel of [`${brakes} [data-action="recordInspectionItem"]`, `${brakes} [data-action="uploadPhoto"]`, `${brakes} input[name="note"]`]) {
    for (const b of await tablet.locator(sel).all()) {
      const box = await b.boundingBox();
      assert.ok(box.height >= 44 && box.width >= 44, `${sel} is ${box.width}×${box.height}`);
    }
  }

  // Red without a note says so by the note and records nothing.
  await tablet.click(`${wipers} [data-action="recordInspectionItem"][data-status="RED"]`);
  await tablet.waitForSelector(`${wipers} .field-error, ${wipers} .form-error`, { timeout: 3000 });
  assert.equal(await tablet.getAttribute(wipers, 'data-status'), '');

  await tablet.fill(`${brakes} input[name="note"]`, '前刹车片剩 2mm，需更换');
  await tablet.click(`${brakes} [data-action="recordInspectionItem"][data-status="RED"]`);
  await tablet.waitForSelector(`${brakes}[data-status="RED"]`, { timeout: 3000 });
  await tablet.fill(`${wipers} input[name="note"]`, '雨刮片老化，刮不干净');
  await tablet.click(`${wipers} [data-action="recordInspectionItem"][data-status="AMBER"]`);
  await tablet.waitForSelector(`${wipers}[data-status="AMBER"]`, { timeout: 3000 });
  await tablet.click(`${tyres} [data-action="recordInspectionItem"][data-status="GREEN"]`);
  await tablet.waitForSelector(`${tyres}[data-status="GREEN"]`, { timeout: 3000 });
  await tablet.click(`${oil} [data-action="recordInspectionItem"][data-status="GREEN"]`);
  await tablet.waitForSelector(`${oil}[data-status="GREEN"]`, { timeout: 3000 });
  assert.equal(await tablet.locator(`${tyres} [data-action="proposeFromInspectionItem"]`).count(), 0, 'a green item proposes nothing');

  // The photo from the camera input: uploaded, its thumbnail shown.
  const photo = png(160, 120);
  assert.equal(await tablet.getAttribute(`${brakes} input[type="file"]`, 'capture'), 'environment');
  await tablet.setInputFiles(`${brakes} input[type="file"]`, { name: 'brake.png', mimeType: 'image/png', buffer: photo });
  await tablet.waitForFunction((sel) => {
    const img = document.querySelector(`${sel} .photos img`);
    return img && img.complete && img.naturalWidth > 0;
  }, brakes, { timeout: 5000 });

  // One tap each: the red and the amber finding become proposed work.
  await tablet.click(`${brakes} [data-action="proposeFromInspectionItem"]`);
  await tablet.waitForSelector(`${brakes} [data-aw-state="REQUESTED"]`, { timeout: 3000 });
  await tablet.click(`${wipers} [data-action="proposeFromInspectionItem"]`);
  await tablet.waitForSelector(`${wipers} [data-aw-state="REQUESTED"]`, { timeout: 3000 });
  await within(boardPage, 'board shows the approval pending', boardBlocked, { id: car.orderId, blocked: true }, Date.now(), 5000);
  await showPanel(tablet, panel);
  await tablet.screenshot({ path: shotPath('loop-tablet-inspection-1280x800.png') });

  const { repairOrder: ro } = await server.gql(tokens.advisor, `query($id: ID!) { repairOrder(id: $id) {
    additionalWork { id description state safety } inspections { items { name status additionalWork { id } attachments { id } } } } }`, { id: car.orderId });
  const items = Object.fromEntries(ro.inspections[0].items.map((i) => [i.name, i]));
  assert.deepEqual([items['前刹车片'].status, items['雨刮片'].status, items['轮胎'].status], ['RED', 'AMBER', 'GREEN']);
  assert.equal(items['前刹车片'].attachments.length, 1);
  const brakeWork = items['前刹车片'].additionalWork.id;
  const wiperWork = items['雨刮片'].additionalWork.id;
  assert.ok(ro.additionalWork.find((w) => w.id === brakeWork).safety, 'red is a safety matter');

  // The advisor sends the link from the order on /advisor.
  const advisor = await browser.ctx.newPage();
  const aseen = watch(advisor);
  await advisor.setViewportSize({ width: 1920, height: 1080 });
  await advisor.goto(`${server.base}/advisor?token=${tokens.advisor}`);
  await advisor.click(`#orders-body tr[data-order="${car.orderId}"]`, { timeout: 10000 });
  await advisor.click(`.order-desk[data-order="${car.orderId}"] [data-action="sendApprovalLink"]`, { timeout: 5000 });
  await advisor.waitForSelector(`.order-desk[data-order="${car.orderId}"] .link-sent a`, { timeout: 5000 });
  const shown = await advisor.textContent(`.order-desk[data-order="${car.orderId}"] .link-sent a`);
  assert.match(shown, /\/approve\/bbl_/);

  // The webhook receiver got the approval request with the link, signed.
  const hook = await receiver.waitFor((p) => p.json.type === 'message.created' && p.json.data?.kind === 'APPROVAL_REQUEST', 15000);
  assert.ok(verify(endpoint.secret, hook.headers, hook.body), 'signature verifies with the endpoint secret');
  assert.ok(!verify(endpoint.secret, hook.headers, hook.body.replace('APPROVAL_REQUEST', 'APPROVAL_REQUESX')), 'a changed body does not verify');
  assert.ok(!verify('whsec_' + Buffer.alloc(32, 7).toString('base64'), hook.headers, hook.body), 'another secret does not verify');
  assert.match(hook.headers['webhook-id'], /^msg_/);
  assert.ok(Math.abs(Date.now() / 1000 - Number(hook.headers['webhook-timestamp'])) < 300, 'timestamp is now');
  const link = hook.json.data.link;
  assert.equal(link, shown, 'the webhook carries the link the advisor sent');
  assert.ok(hook.json.data.body.includes(link), 'the message text carries the link');

  // The customer's phone: approve the brakes, decline the wipers.
  const phone = await browser.ctx.newPage();
  const perrors = [];
  phone.on('pageerror', (e) => perrors.push(String(e)));
  await phone.setViewportSize({ width: 390, height: 844 });
  await phone.goto(server.base + new URL(link).pathname);
  await phone.waitForSelector('.item', { timeout: 5000 });
  await phone.waitForFunction(() => [...document.querySelectorAll('img')].every((i) => i.complete && i.naturalWidth > 0));
  await phone.fill('#name', '林女士');
  // Meanwhile the technician types a note: the live redraw keeps it and its focus.
  await tablet.fill(`${tyres} input[name="note"]`, '胎纹 5mm');
  await phone.click(`.item[data-id="${brakeWork}"] .approve`);
  await phone.waitForSelector(`.item[data-id="${brakeWork}"] .answered.APPROVED`, { timeout: 3000 });
  const approvedAt = Date.now();
  const tabletApproved = await within(tablet, 'tablet shows the brakes approved',
    (sel) => !!document.querySelector(`${sel} [data-aw-state="APPROVED"]`), brakes, approvedAt);
  assert.equal(await tablet.inputValue(`${tyres} input[name="note"]`), '胎纹 5mm');
  assert.ok(await tablet.evaluate((sel) => document.activeElement === document.querySelector(`${sel} input[name="note"]`), tyres),
    'the note being typed keeps the focus through the redraw');
  await tablet.fill(`${tyres} input[name="note"]`, '');
  await phone.click(`.item[data-id="${wiperWork}"] .decline`);
  await phone.waitForSelector(`.item[data-id="${wiperWork}"] .answered.DECLINED`, { timeout: 3000 });
  const declinedAt = Date.now();
  const tabletDeclined = await within(tablet, 'tablet shows the wipers declined',
    (sel) => !!document.querySelector(`${sel} [data-aw-state="DECLINED"]`), wipers, declinedAt);
  const boardCleared = await within(boardPage, 'board clears the approval pending', boardBlocked, { id: car.orderId, blocked: false }, declinedAt);
  console.log(`# tablet showed approve after ${tabletApproved} ms, decline after ${tabletDeclined} ms; board cleared after ${boardCleared} ms`);
  await phone.screenshot({ path: shotPath('loop-approve-phone-390x844.png'), fullPage: true });
  await showPanel(tablet, panel);
  await tablet.screenshot({ path: shotPath('loop-tablet-answered-1280x800.png') });

  // The answers are the customer's own, by their link.
  const { repairOrder: after } = await server.gql(tokens.advisor, `query($id: ID!) { repairOrder(id: $id) {
    additionalWork { id state contactMethod customerContact } } }`, { id: car.orderId });
  const byId = Object.fromEntries(after.additionalWork.map((w) => [w.id, w]));
  assert.deepEqual([byId[brakeWork].state, byId[brakeWork].contactMethod, byId[brakeWork].customerContact], ['APPROVED', 'CUSTOMER_LINK', '林女士']);
  assert.deepEqual([byId[wiperWork].state, byId[wiperWork].contactMethod], ['DECLINED', 'CUSTOMER_LINK']);

  // The webhook endpoint chose the answers' events too.
  await receiver.waitFor((p) => p.json.type === 'event.ADDITIONAL_WORK_DECLINED', 15000);
  assert.ok(receiver.posts.every((p) => verify(endpoint.secret, p.headers, p.body)), 'every delivery is signed');

  // The tablet at phone size: the same inspection, stacked, still usable.
  await tablet.setViewportSize({ width: 390, height: 844 });
  await showPanel(tablet, panel);
  const lightBox = await tablet.locator(`${tyres} [data-action="recordInspectionItem"]`).first().boundingBox();
  assert.ok(lightBox.height >= 44 && lightBox.x + lightBox.width <= 390, `a light at 390 px is ${JSON.stringify(lightBox)}`);
  await tablet.screenshot({ path: shotPath('loop-tablet-inspection-390x844.png') });

  assert.deepEqual([...tseen.errors, ...aseen.errors, ...perrors], []);
  for (const p of [tablet, advisor, phone]) await p.close();
});
