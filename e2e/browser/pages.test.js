// Browser tests of the wall board (/board) and the advisor screen (/advisor):
// the real server on a fresh database seeded with the demo day, Debian's
// chromium through playwright-core. They prove that a change made through the
// API moves a card within a second, that the board says "reconnecting" when
// the server goes and catches up from its cursor when it is back, that a
// reset reloads the snapshot, and that no customer's name, phone or full
// plate reaches the board. Screenshots land in e2e/screenshots/.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { buildServer, createDatabase, dropDatabase, freePort, Server, launchBrowser, watch, shotPath } from './lib.js';

const PLATE_CHARS = 'ABCDEFGHJKLMNPQRSTUVWXYZ0123456789';
const rnd = (n, chars) => Array.from({ length: n }, () => chars[Math.floor(Math.random() * chars.length)]).join('');

let bin, db, server, port, browser;
let site, tokens, car;

// lane returns the selector of an order's card in a lane.
const cardIn = (lane, order) => `[data-lane="${lane}"] [data-order="${order}"]`;

before(async () => {
  bin = buildServer();
  db = createDatabase();
  port = await freePort();
  server = await new Server({ bin, dbURL: db.url, port }).start();
  tokens = {
    board: server.token('BOARD', 'sz01'),
    advisor: server.token('ADVISOR'),
    foreman: server.token('FOREMAN'),
    tech: server.token('TECHNICIAN'),
  };
  ({ sites: [site] } = await server.gql(tokens.advisor, '{ sites { id code name } }'));
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
  if (db) dropDatabase(db.name);
});

// receiveCar brings a new customer's car through reception, estimate,
// signature and hand-over, as the advisor: it lands in WAITING_DISPATCH.
async function receiveCar(api) {
  const plate = '粤B' + rnd(5, PLATE_CHARS);
  const name = '测试客户' + rnd(3, '甲乙丙丁戊己庚辛壬癸');
  const phone = '139' + rnd(8, '0123456789');
  const { receiveVehicle: { visit } } = await api.gql(tokens.advisor, `mutation R($in: ReceiveVehicleInput!) {
    receiveVehicle(input: $in) { visit { id } userErrors { code message } } }`, { in: {
    siteId: site.id, customer: { name, phone }, vehicle: { plate, make: '丰田', model: '卡罗拉', colour: '白' },
    mileage: 42000, fuelLevel: 60, keyTag: 'T' + rnd(3, '0123456789'), complaint: '保养，刹车有异响', walkaroundSigned: true,
  } });
  const { createRepairOrder: { repairOrder: ro } } = await api.gql(tokens.advisor, `mutation C($in: CreateRepairOrderInput!) {
    createRepairOrder(input: $in) { repairOrder { id version jobs { id } } userErrors { code message } } }`, { in: {
    visitId: visit.id, workType: 'REPAIR', findings: '前刹车片磨损',
    jobs: [{ description: '更换前刹车片', labourMinutes: 60 }],
  } });
  await api.gql(tokens.advisor, `mutation S($in: SignRepairOrderInput!) { signRepairOrder(input: $in) { userErrors { code message } } }`,
    { in: { orderId: ro.id, signedBy: name, promisedAt: new Date(Date.now() + 3 * 3600e3).toISOString() } });
  await api.gql(tokens.advisor, `mutation H($in: HandOverRepairOrderInput!) { handOverRepairOrder(input: $in) { userErrors { code message } } }`,
    { in: { orderId: ro.id } });
  return { orderId: ro.id, jobId: ro.jobs[0].id, plate, name, phone };
}

async function personalData(api) {
  const out = { names: new Set(), phones: new Set(), plates: new Set() };
  let after = null;
  for (;;) {
    const { customers } = await api.gql(tokens.advisor, `query P($s: ID!, $after: String) {
      customers(siteId: $s, first: 100, after: $after) { edges { node { name phone vehicles { plate vin } } } pageInfo { hasNextPage endCursor } } }`,
    { s: site.id, after });
    for (const { node } of customers.edges) {
      out.names.add(node.name);
      out.phones.add(node.phone);
      for (const v of node.vehicles) out.plates.add(v.plate);
    }
    if (!customers.pageInfo.hasNextPage) break;
    after = customers.pageInfo.endCursor;
  }
  // Staff appear on the board by their short names; a customer who shares a
  // staff member's display name cannot be told apart, so that name is skipped.
  const { site: s } = await api.gql(tokens.advisor, 'query($s: ID!) { site(id: $s) { staff { name shortName } } }', { s: site.id });
  for (const u of s.staff) out.names.delete(u.shortName);
  return out;
}

function leaks(text, pd) {
  const found = [];
  for (const n of pd.names) if (n.length >= 2 && text.includes(n)) found.push('name ' + n);
  for (const p of pd.phones) if (p && text.includes(p)) found.push('phone ' + p);
  for (const p of pd.plates) if (p && text.includes(p)) found.push('plate ' + p);
  return found;
}

async function openBoard(extra = '') {
  const page = await browser.ctx.newPage();
  const seen = watch(page);
  await page.goto(`${server.base}/board?token=${tokens.board}${extra}`);
  await page.waitForSelector('#conn[data-state="live"]', { timeout: 15000 });
  await page.waitForSelector('.card', { timeout: 10000 });
  return { page, seen };
}

describe('wall board', () => {
  let page, seen;

  before(async () => {
    ({ page, seen } = await openBoard());
  });

  test('shows every lane, the header figures and cards from the demo day', async () => {
    const lanes = await page.$$eval('[data-lane]', (ls) => ls.map((l) => l.dataset.lane));
    assert.deepEqual(lanes, ['WAITING_DISPATCH', 'IN_WORK', 'WAITING_PARTS', 'WAITING_APPROVAL', 'CHECKS', 'WASH', 'READY']);
    const header = await page.textContent('header');
    assert.match(header, /在厂车辆/);
    assert.match(header, /今日可用工时/);
    assert.match(await page.textContent('#clock'), /^\d\d:\d\d$/);
    const cards = await page.$$eval('.card', (cs) => cs.length);
    assert.ok(cards > 0, 'no cards shown');
    // Nothing scrolls: the page is exactly the screen.
    const { sw, sh, iw, ih } = await page.evaluate(() => ({ sw: document.documentElement.scrollWidth, sh: document.documentElement.scrollHeight, iw: innerWidth, ih: innerHeight }));
    assert.ok(sw <= iw && sh <= ih, `page scrolls: ${sw}x${sh} in ${iw}x${ih}`);
  });

  test('pages through lanes that hold more cards than fit, cutting none off', async () => {
    const r = await page.evaluate(() => {
      const b = window.bayboard;
      const out = [];
      for (const lane of document.querySelectorAll('[data-lane]')) {
        const body = lane.querySelector('.lane-body');
        const n = [...b.cards.values()].filter((c) => c.stage === lane.dataset.lane).length;
        const shown = body.querySelectorAll('.card').length;
        const bottom = Math.max(0, ...[...body.querySelectorAll('.card')].map((c) => c.getBoundingClientRect().bottom));
        out.push({ lane: lane.dataset.lane, n, shown, page: b.pages[lane.dataset.lane] || 0, dots: lane.querySelectorAll('.lane-page i').length, clipped: bottom > body.getBoundingClientRect().bottom + 1, fits: b.fits });
      }
      return out;
    });
    for (const l of r) {
      assert.ok(!l.clipped, `${l.lane}: a card is cut off`);
      assert.equal(l.shown, Math.min(l.fits, l.n - l.page * l.fits), `${l.lane}: shows ${l.shown} of ${l.n} on page ${l.page}, fits ${l.fits}`);
      if (l.n > l.fits) assert.equal(l.dots, Math.ceil(l.n / l.fits), `${l.lane}: page dots`);
    }
    // A lane with more cards than fit turns to its next page by itself.
    const full = r.find((l) => l.n > l.fits);
    if (full) {
      await page.waitForFunction(({ lane, from }) => (window.bayboard.pages[lane] || 0) !== from, { lane: full.lane, from: full.page }, { timeout: 15000 });
    }
  });

  test('a job changed through the API moves the card within a second', async () => {
    car = await receiveCar(server);
    await page.waitForSelector(cardIn('WAITING_DISPATCH', car.orderId), { state: 'visible', timeout: 2000 });
    const { site: s } = await server.gql(tokens.foreman, `query($s: ID!) { site(id: $s) { bays { id kind } } }`, { s: site.id });
    const bay = s.bays.find((b) => b.kind !== 'WASH') || s.bays[0];
    // To the technician whose token works the job below: only the
    // technician a job is dispatched to may work it.
    const { viewer: tech } = await server.gql(tokens.tech, '{ viewer { id } }');
    await server.gql(tokens.foreman, `mutation D($in: DispatchJobInput!) { dispatchJob(input: $in) { userErrors { code message } } }`,
      { in: { jobId: car.jobId, technicianId: tech.id, bayId: bay.id } });
    const t0 = Date.now();
    await page.waitForSelector(cardIn('IN_WORK', car.orderId), { state: 'visible', timeout: 1000 });
    console.log(`# card moved WAITING_DISPATCH → IN_WORK ${Date.now() - t0} ms after the mutation answered`);
    assert.equal(await page.$(cardIn('WAITING_DISPATCH', car.orderId)), null);
    // The card shows the masked plate, never the full one.
    const text = await page.textContent(cardIn('IN_WORK', car.orderId));
    assert.ok(text.includes(car.plate.slice(0, 2) + '·•••' + car.plate.slice(-2)), text);
    assert.ok(!text.includes(car.plate), text);
  });

  test('says "reconnecting" when the server goes, then catches up from its cursor', async () => {
    const before = await page.evaluate(() => ({ loads: window.bayboard.snapshotLoads, updates: window.bayboard.updates }));
    await server.stop();
    await page.waitForSelector('#conn[data-state="reconnecting"]', { timeout: 5000 });
    assert.match(await page.textContent('#conn'), /重新连接/);
    await page.screenshot({ path: shotPath('board-reconnecting-1920x1080.png') });

    // While this instance is down, a second one on the same database takes the changes.
    const other = await new Server({ bin, dbURL: db.url, port: await freePort() }).start();
    try {
      const job = `mutation($in: JobActionInput!) { startJob(input: $in) { userErrors { code message } } }`;
      await other.gql(tokens.tech, job, { in: { jobId: car.jobId } });
      await other.gql(tokens.tech, `mutation($in: ReportJobProgressInput!) { reportJobProgress(input: $in) { userErrors { code message } } }`,
        { in: { jobId: car.jobId, progress: 40 } });
      await other.gql(tokens.tech, `mutation($in: PauseJobInput!) { pauseJob(input: $in) { userErrors { code message } } }`,
        { in: { jobId: car.jobId, reason: 'WAITING_PARTS', note: '刹车片缺货' } });
    } finally {
      await other.stop();
    }
    assert.equal(await page.getAttribute('#conn', 'data-state'), 'reconnecting');
    assert.ok(await page.$(cardIn('IN_WORK', car.orderId)), 'the board changed while disconnected');

    await server.start();
    await page.waitForSelector('#conn[data-state="live"]', { timeout: 15000 });
    await page.waitForSelector(cardIn('WAITING_PARTS', car.orderId), { state: 'visible', timeout: 5000 });
    assert.match(await page.textContent(cardIn('WAITING_PARTS', car.orderId)), /缺件/);
    const afterwards = await page.evaluate(() => ({ loads: window.bayboard.snapshotLoads, updates: window.bayboard.updates }));
    assert.equal(afterwards.loads, before.loads, 'resumed from the cursor, not by reloading the snapshot');
    assert.ok(afterwards.updates >= before.updates + 3, `missed updates replayed: ${afterwards.updates - before.updates}`);
  });

  test('reloads the snapshot when the server says reset', async () => {
    const loads = await page.evaluate(() => window.bayboard.snapshotLoads);
    // A cursor ahead of the log is one the server cannot resume from.
    await page.evaluate(() => {
      window.bayboard.feed.cursor = '999999999';
      window.bayboard.live.restart('test');
    });
    await page.waitForFunction((n) => window.bayboard.snapshotLoads > n, loads, { timeout: 15000 });
    const how = await page.evaluate(() => ({ reset: window.bayboard.feed.resets || 0, fallback: window.bayboard.feed.restarts || 0 }));
    console.log(`# snapshot reloaded after ${how.reset ? 'the reset update' : 'repeated empty closes (the reset update was lost)'}`);
    await page.waitForSelector('#conn[data-state="live"]', { timeout: 10000 });
    assert.ok(await page.$(cardIn('WAITING_PARTS', car.orderId)));
    // And it follows live changes again from the new snapshot's cursor.
    await server.gql(tokens.tech, `mutation($in: JobActionInput!) { resumeJob(input: $in) { userErrors { code message } } }`, { in: { jobId: car.jobId } });
    await page.waitForSelector(cardIn('IN_WORK', car.orderId), { state: 'visible', timeout: 3000 });
  });

  test('no customer name, phone or full plate reaches the board', async () => {
    const pd = await personalData(server);
    assert.ok(pd.plates.has(car.plate) && pd.phones.has(car.phone), 'the test car is in the data');
    assert.ok(pd.plates.size > 5, `too little test data: ${pd.plates.size} plates`);
    assert.deepEqual(leaks(await page.innerText('body'), pd), [], 'on the screen');
    assert.deepEqual(leaks(seen.http.join('\n'), pd), [], 'in HTTP answers');
    assert.deepEqual(leaks(seen.frames.join('\n'), pd), [], 'in websocket frames');
    assert.ok(seen.frames.length > 0 && seen.http.length > 0);
    assert.deepEqual(seen.errors, [], 'page errors');
  });

  test('screenshots at 1920×1080 and 3840×2160', async () => {
    await page.waitForTimeout(300);
    await page.screenshot({ path: shotPath('board-1920x1080.png') });
    const big = await browser.ctx.newPage();
    await big.setViewportSize({ width: 3840, height: 2160 });
    await big.goto(`${server.base}/board?token=${tokens.board}`);
    await big.waitForSelector('#conn[data-state="live"]');
    await big.waitForSelector('.card');
    const fits = await big.evaluate(() => window.bayboard.fits);
    assert.equal(fits, await page.evaluate(() => window.bayboard.fits), 'the same layout at 4K, only sharper');
    await big.screenshot({ path: shotPath('board-3840x2160.png') });
    await big.close();
  });
});

describe('wall board settings', () => {
  test('English by ?lang=en, site by its code', async () => {
    const { page } = await openBoard(`&lang=en&site=${site.code}`);
    assert.match(await page.textContent('header'), /Cars in workshop/);
    assert.match(await page.textContent('[data-lane="WAITING_PARTS"] .lane-name'), /Waiting parts/);
    await page.screenshot({ path: shotPath('board-en-1920x1080.png') });
    await page.close();
  });

  test('the token leaves the address bar and the history after load; a reload still works', async () => {
    const { page } = await openBoard(`&lang=en&site=${site.code}`);
    const url = new URL(page.url());
    assert.equal(url.searchParams.get('token'), null, `token still in the address: ${page.url()}`);
    assert.equal(url.searchParams.get('site'), site.code, 'the other settings stay');
    const history = await page.evaluate(() => ({ len: history.length, href: location.href }));
    assert.ok(!history.href.includes(tokens.board), 'the history entry holds the token');
    await page.reload();
    await page.waitForSelector('#conn[data-state="live"]', { timeout: 15000 });
    assert.ok(!page.url().includes('token='), `token back in the address after reload: ${page.url()}`);
    await page.close();
  });

  test('a wrong token says so, quietly', async () => {
    const page = await browser.ctx.newPage();
    await page.goto(`${server.base}/board?token=not-a-token`);
    await page.waitForSelector('#conn[data-state="unauthorized"]', { timeout: 10000 });
    await page.close();
  });
});

describe('advisor screen', () => {
  let page, seen, me;

  before(async () => {
    ({ viewer: me } = await server.gql(tokens.advisor, '{ viewer { id name } }'));
    page = await browser.ctx.newPage();
    seen = watch(page);
    await page.goto(`${server.base}/advisor?token=${tokens.advisor}`);
    await page.waitForSelector('#conn[data-state="live"]', { timeout: 15000 });
  });

  test('the token leaves the address bar after load', async () => {
    assert.ok(!page.url().includes('token='), `token still in the address: ${page.url()}`);
  });

  test('lists my open visits with customer and car, and the capacity figure', async () => {
    const { repairOrders } = await server.gql(tokens.advisor, `query($s: ID!, $a: ID!) {
      repairOrders(siteId: $s, advisorId: $a, states: [DRAFT, SIGNED, IN_WORK, QC, WASH, READY, SETTLED], first: 100) { edges { node { id } } } }`,
    { s: site.id, a: me.id });
    await page.waitForFunction((n) => document.querySelectorAll('#orders-body tr').length === n, repairOrders.edges.length, { timeout: 5000 });
    assert.ok(await page.$(`#orders-body tr[data-order="${car.orderId}"]`), 'the test car is listed');
    const row = await page.textContent(`#orders-body tr[data-order="${car.orderId}"]`);
    assert.ok(row.includes(car.plate) && row.includes(car.name), row);
    assert.match(await page.textContent('#cap-free'), /\d+\.\d 小时/);
    await page.waitForFunction(() => /预计/.test(document.getElementById('est-out').textContent), null, { timeout: 5000 });
  });

  test('what needs me arrives live: additional work to ask the customer about', async () => {
    const t0 = Date.now();
    await server.gql(tokens.tech, `mutation($in: RequestAdditionalWorkInput!) { requestAdditionalWork(input: $in) { userErrors { code message } } }`, { in: {
      orderId: car.orderId, foundOnJobId: car.jobId, description: '更换刹车盘', reason: '刹车盘磨损超限', labourMinutes: 45, extraMinutes: 60, safety: true,
    } });
    await page.waitForFunction((plate) => [...document.querySelectorAll('#needs .need.urgent')].some((n) => n.textContent.includes(plate)), car.plate, { timeout: 2000 });
    await page.waitForFunction(() => document.querySelector('#activity .act[data-kind="ADDITIONAL_WORK_REQUESTED"]'), null, { timeout: 2000 });
    console.log(`# advisor alert shown ${Date.now() - t0} ms after the request`);
  });

  test('search finds the customer and opens the full history', async () => {
    await page.fill('#search', car.phone.slice(0, 7));
    await page.waitForSelector('#results li[data-customer]', { timeout: 3000 });
    await page.fill('#search', car.name);
    await page.waitForFunction((n) => [...document.querySelectorAll('#results li[data-customer]')].some((l) => l.textContent.includes(n)), car.name);
    await page.press('#search', 'Enter');
    await page.waitForSelector('#drawer:not([hidden]) .visits li', { timeout: 3000 });
    const text = await page.textContent('#drawer');
    assert.ok(text.includes(car.plate) && text.includes(car.phone) && text.includes('更换前刹车片'), text);
    await page.click('#drawer-close');

    // A regular customer of the demo, with years of history, for the screenshot.
    const { customers } = await server.gql(tokens.advisor, `query($s: ID!) { customers(siteId: $s, first: 100) { edges { node { id name visits(first: 1) { totalCount } } } } }`, { s: site.id });
    const regular = customers.edges.map((e) => e.node).sort((a, b) => b.visits.totalCount - a.visits.totalCount)[0];
    await page.fill('#search', regular.name);
    await page.waitForSelector(`#results li[data-customer="${regular.id}"]`);
    await page.click(`#results li[data-customer="${regular.id}"]`);
    await page.waitForFunction((n) => document.querySelectorAll('#drawer .visits > li').length >= Math.min(n, 30), regular.visits.totalCount);
    await page.screenshot({ path: shotPath('advisor-history-1920x1080.png') });
    await page.click('#drawer-close');
    await page.fill('#search', '');
  });

  test('screenshot at 1920×1080', async () => {
    await page.waitForTimeout(300);
    await page.screenshot({ path: shotPath('advisor-1920x1080.png') });
    assert.deepEqual(seen.errors, []);
  });
});
