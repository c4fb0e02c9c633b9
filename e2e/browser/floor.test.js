// Browser tests of the shop-floor screens (/tablet, /dispatch, /qc): the real
// server on a fresh database seeded with the demo day, Debian's chromium
// through playwright-core. Each step is a tap on a control found by its
// data-action inside its data-job / data-order, by the right role's token,
// while an open /board page is watched for the change (within 2 s). A wrong
// token gets the full-screen message. Screenshots of every screen at its
// sizes, zh and en, land in e2e/screenshots/.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { buildServer, createDatabase, dropDatabase, freePort, Server, launchBrowser, watch, shotPath } from './lib.js';

const PLATE_CHARS = 'ABCDEFGHJKLMNPQRSTUVWXYZ0123456789';
const rnd = (n, chars) => Array.from({ length: n }, () => chars[Math.floor(Math.random() * chars.length)]).join('');
const LIVE = 2000; // a change made on one screen shows on the board within this

let bin, db, server, browser, site, tokens, ids, boardPage;

before(async () => {
  bin = buildServer();
  db = createDatabase();
  server = await new Server({ bin, dbURL: db.url, port: await freePort() }).start();
  tokens = {
    board: server.token('BOARD', 'sz01'),
    advisor: server.token('ADVISOR'),
    foreman: server.token('FOREMAN', 'liqiang'),
    tech: server.token('TECHNICIAN', 'zhang'),
    lead: server.token('TECHNICIAN', 'teamlead-zhao'),
    qc: server.token('QC_INSPECTOR', 'chenjing'),
  };
  ({ sites: [site] } = await server.gql(tokens.advisor, '{ sites { id code name timeZone } }'));
  ids = {};
  for (const k of ['tech', 'lead', 'foreman']) ({ viewer: ids[k] } = await server.gql(tokens[k], '{ viewer { id shortName team } }'));
  browser = await launchBrowser();
  boardPage = await browser.ctx.newPage();
  await boardPage.goto(`${server.base}/board?token=${tokens.board}`);
  await boardPage.waitForSelector('#conn[data-state="live"]', { timeout: 15000 });
});

after(async () => {
  await browser?.close();
  await server?.stop();
  if (db) dropDatabase(db.name);
});

// receiveCar brings a new car through reception, estimate, signature and
// hand-over, as the advisor: its job waits for dispatch.
async function receiveCar() {
  const plate = '粤B' + rnd(5, PLATE_CHARS);
  const { receiveVehicle: { visit } } = await server.gql(tokens.advisor, `mutation R($in: ReceiveVehicleInput!) {
    receiveVehicle(input: $in) { visit { id } userErrors { code message } } }`, { in: {
    siteId: site.id, customer: { name: '测试客户' + rnd(3, '甲乙丙丁戊己庚辛壬癸'), phone: '139' + rnd(8, '0123456789') },
    vehicle: { plate, make: '丰田', model: '卡罗拉', colour: '白' },
    mileage: 42000, fuelLevel: 60, keyTag: 'F' + rnd(3, '0123456789'), complaint: '保养', walkaroundSigned: true,
  } });
  const { createRepairOrder: { repairOrder: ro } } = await server.gql(tokens.advisor, `mutation C($in: CreateRepairOrderInput!) {
    createRepairOrder(input: $in) { repairOrder { id jobs { id } } userErrors { code message } } }`, { in: {
    visitId: visit.id, workType: 'REPAIR', findings: '前刹车片磨损', jobs: [{ description: '更换前刹车片', labourMinutes: 60 }],
  } });
  await server.gql(tokens.advisor, `mutation S($in: SignRepairOrderInput!) { signRepairOrder(input: $in) { userErrors { code message } } }`,
    { in: { orderId: ro.id, signedBy: '测试', promisedAt: new Date(Date.now() + 3 * 3600e3).toISOString() } });
  await server.gql(tokens.advisor, `mutation H($in: HandOverRepairOrderInput!) { handOverRepairOrder(input: $in) { userErrors { code message } } }`,
    { in: { orderId: ro.id } });
  return { orderId: ro.id, jobId: ro.jobs[0].id, plate };
}

async function job(id) {
  const { node } = await server.gql(tokens.foreman, `query($id: ID!) { node(id: $id) { ... on Job { state version progress pauseReason
    technician { id } bay { id code } repairOrder { state } } } }`, { id });
  return node;
}

async function bays() {
  const { site: s } = await server.gql(tokens.foreman, 'query($s: ID!) { site(id: $s) { bays { id code kind } } }', { s: site.id });
  return s.bays;
}

async function openPage(path, token, { lang = '', size = { width: 1920, height: 1080 } } = {}) {
  const page = await browser.ctx.newPage();
  const seen = watch(page);
  await page.setViewportSize(size);
  await page.goto(`${server.base}/${path}?token=${token}${lang ? '&lang=' + lang : ''}`);
  await page.waitForSelector('#conn[data-state="live"]', { timeout: 15000 });
  return { page, seen };
}

// boardShows waits until the open board's card of an order is as want says
// ({ stage, notStage, running, blocker, progress }) and, when the card is on
// the lane's page shown, drawn so; it returns the milliseconds since since.
// A lane holding more cards than fit shows them page by page, so the board's
// own model (window.bayboard.cards) is what is waited on first.
async function boardShows(orderId, want, since = Date.now()) {
  const check = (a) => {
    const c = window.bayboard.cards.get(a.id);
    if (!c) return false;
    const running = (c.jobs || []).filter((j) => j.state === 'IN_PROGRESS').length;
    if (a.stage !== undefined && c.stage !== a.stage) return false;
    if (a.notStage !== undefined && c.stage === a.notStage) return false;
    if (a.running !== undefined && running !== a.running) return false;
    if (a.blocker !== undefined && !c.blockers.includes(a.blocker)) return false;
    if (a.progress !== undefined && c.progress < a.progress) return false;
    const shown = document.querySelector(`.card[data-order="${a.id}"]`);
    return !shown || (shown.dataset.stage === c.stage && shown.dataset.running === String(running));
  };
  const arg = { id: orderId, ...want };
  try {
    await boardPage.waitForFunction(check, arg, { timeout: Math.max(1, LIVE - (Date.now() - since)) });
  } catch {
    // Say how late it came, or what the board holds instead.
    const late = await boardPage.waitForFunction(check, arg, { timeout: 10000 }).then(() => `${Date.now() - since} ms`, () => 'never');
    const card = await boardPage.evaluate((id) => JSON.stringify(window.bayboard.cards.get(id) || null), orderId);
    assert.fail(`board showed ${JSON.stringify(want)} for ${orderId} after ${late}, want within ${LIVE} ms; card now ${card}`);
  }
  return Date.now() - since;
}

// tap taps a control on a screen and waits until the board shows want for
// the order: within LIVE of the mutation's answer (the live part: commit,
// event log, hub, websocket, render), as pages.test.js measures it. It
// returns both delays; the tap's includes the mutation itself, which a
// loaded test machine may slow down.
async function tap(page, selector, orderId, want) {
  const answered = page.waitForResponse((r) => r.url().endsWith('/query') && /"query":"mutation/.test(r.request().postData() || ''));
  const t0 = Date.now();
  await page.click(selector);
  await answered;
  const t1 = Date.now();
  await boardShows(orderId, want, t1);
  return { fromTap: Date.now() - t0, fromAnswer: Date.now() - t1 };
}

describe('technician tablet', () => {
  let car, page, seen;

  before(async () => {
    car = await receiveCar();
    const bay = (await bays()).find((b) => b.code === 'B10');
    await server.gql(tokens.foreman, `mutation D($in: DispatchJobInput!) { dispatchJob(input: $in) { userErrors { code message } } }`,
      { in: { jobId: car.jobId, technicianId: ids.tech.id, bayId: bay.id } });
    ({ page, seen } = await openPage('tablet', tokens.tech, { size: { width: 1280, height: 800 } }));
    await boardShows(car.orderId, { stage: 'IN_WORK', running: 0 });
  });

  test('tapping start on the tablet changes the board card within 2 s', async () => {
    const start = page.locator(`[data-job="${car.jobId}"] [data-action="startJob"]`);
    const box = await start.boundingBox();
    assert.ok(box.height >= 44 && box.width >= 44, `start is ${box.width}×${box.height}, want a touch target of 44 px at least`);
    const ms = await tap(page, `[data-job="${car.jobId}"] [data-action="startJob"]`, car.orderId, { running: 1 });
    console.log(`# board card lit ${ms.fromAnswer} ms after startJob answered (${ms.fromTap} ms after the tap)`);
    assert.equal((await job(car.jobId)).state, 'IN_PROGRESS');
    await page.waitForSelector(`[data-job="${car.jobId}"][data-state="IN_PROGRESS"] [data-action="pauseJob"]`);
  });

  test('pause with a reason, resume, progress, finish and self-check, each a tap', async () => {
    const card = `#mine [data-job="${car.jobId}"]`;
    await page.click(`${card} [data-action="pauseJob"]`);
    // OTHER needs a note: the server's sentence shows next to the note field, nothing changes.
    await page.click(`${card} [data-action="pauseJob"][data-reason="OTHER"]`);
    await page.waitForSelector(`${card} .field-error, ${card} .form-error`, { timeout: LIVE });
    assert.equal((await job(car.jobId)).state, 'IN_PROGRESS');
    await tap(page, `${card} [data-action="pauseJob"][data-reason="WAITING_PARTS"]`, car.orderId, { stage: 'WAITING_PARTS', running: 0, blocker: 'WAITING_PARTS' });
    assert.equal((await job(car.jobId)).pauseReason, 'WAITING_PARTS');
    await page.waitForSelector(`${card}[data-state="PAUSED"]`);
    assert.match(await page.textContent(card), /暂停：等待配件/);

    await tap(page, `${card} [data-action="resumeJob"]`, car.orderId, { stage: 'IN_WORK', running: 1 });
    await page.waitForSelector(`${card}[data-state="IN_PROGRESS"]`);
    await tap(page, `${card} [data-action="reportJobProgress"][data-progress="50"]`, car.orderId, { progress: 1 });
    assert.equal((await job(car.jobId)).progress, 50);

    // Additional work: a missing description is said next to its field.
    await page.click(`${card} [data-action="requestAdditionalWork"]`);
    await page.fill(`${card} [name="description"]`, '');
    await page.fill(`${card} [name="reason"]`, '前刹车盘磨损');
    await page.click(`${card} [data-sheet="additional"] [data-action="requestAdditionalWork"]`);
    await page.waitForSelector(`${card} [data-sheet="additional"] .field-error, ${card} [data-sheet="additional"] .form-error`, { timeout: LIVE });
    await page.screenshot({ path: shotPath('floor-tablet-usererror-zh-1280x800.png') });
    await page.fill(`${card} [name="description"]`, '更换前刹车盘');
    await page.fill(`${card} [name="labourMinutes"]`, '40');
    await page.fill(`${card} [name="extraMinutes"]`, '45');
    await page.check(`${card} [name="safety"]`);
    // The job changes under the open sheet (progress from elsewhere): the card is rebuilt, what was typed stays.
    const key = await page.getAttribute(card, 'data-key');
    await server.gql(tokens.tech, `mutation P($in: ReportJobProgressInput!) { reportJobProgress(input: $in) { userErrors { code message } } }`,
      { in: { jobId: car.jobId, progress: 60 } });
    await page.waitForFunction(([sel, k]) => document.querySelector(sel)?.dataset.key !== k, [card, key], { timeout: LIVE });
    assert.equal(await page.inputValue(`${card} [name="description"]`), '更换前刹车盘');
    assert.equal(await page.inputValue(`${card} [name="extraMinutes"]`), '45');
    assert.equal(await page.isChecked(`${card} [name="safety"]`), true);
    await tap(page, `${card} [data-sheet="additional"] [data-action="requestAdditionalWork"]`, car.orderId, { blocker: 'APPROVAL_PENDING' });

    await page.waitForSelector(`${card} [data-action="finishJob"]`);
    await page.click(`${card} [data-action="finishJob"]`);
    await page.waitForSelector(`${card}[data-state="FINISHED"] [data-action="recordSelfCheck"][data-passed="true"]`, { timeout: LIVE });
    await page.click(`${card} [data-action="recordSelfCheck"][data-passed="true"]`);
    await page.waitForSelector(`#finished [data-job="${car.jobId}"][data-state="SELF_CHECKED"]`, { timeout: LIVE });
    assert.equal((await job(car.jobId)).state, 'SELF_CHECKED');
    assert.deepEqual(seen.errors, []);
  });

  test('a team lead sees the check waiting for them and passes it', async () => {
    // 张伟 is in 赵磊's team (机修A组).
    const { page: lp } = await openPage('tablet', tokens.lead, { size: { width: 1280, height: 800 } });
    const card = `#checks [data-job="${car.jobId}"]`;
    await lp.waitForSelector(card, { timeout: LIVE });
    await lp.screenshot({ path: shotPath('floor-tablet-lead-zh-1280x800.png') });
    await lp.click(`${card} [data-action="recordTeamLeadCheck"][data-passed="true"]`);
    await lp.waitForSelector(card, { state: 'detached', timeout: LIVE });
    assert.equal((await job(car.jobId)).state, 'DONE');
    await lp.close();
  });

  test('a stale tap answers CONFLICT by showing the job as it is now', async () => {
    const other = await receiveCar();
    const bay = (await bays()).find((b) => b.code === 'B09');
    await server.gql(tokens.foreman, `mutation D($in: DispatchJobInput!) { dispatchJob(input: $in) { userErrors { code message } } }`,
      { in: { jobId: other.jobId, technicianId: ids.tech.id, bayId: bay.id } });
    const card = `#mine [data-job="${other.jobId}"]`;
    await page.waitForSelector(`${card} [data-action="startJob"]`, { timeout: LIVE });
    // Hold the live feed back, change the job elsewhere, then tap with the old version.
    await page.evaluate(() => window.bayboard.live.restart('test'));
    await page.evaluate(() => { window.bayboard.live.generation += 1000; });
    await server.gql(tokens.foreman, `mutation D($in: DispatchJobInput!) { dispatchJob(input: $in) { userErrors { code message } } }`,
      { in: { jobId: other.jobId, technicianId: ids.tech.id, bayId: (await bays()).find((b) => b.code === 'B08').id } });
    await page.click(`${card} [data-action="startJob"]`);
    await page.waitForSelector(`${card} .form-error[data-code="CONFLICT"]`, { timeout: LIVE });
    assert.match(await page.textContent(`${card} .form-error`), /最新状态/);
    assert.match(await page.textContent(card), /B08/, 'the card shows the bay as it is now');
    assert.equal((await job(other.jobId)).state, 'DISPATCHED');
    await page.screenshot({ path: shotPath('floor-tablet-conflict-zh-1280x800.png') });
    await page.close();
  });
});

// siteNow is the site's local date and minutes after midnight now.
function siteNow() {
  const parts = Object.fromEntries(new Intl.DateTimeFormat('en-CA', { timeZone: site.timeZone, year: 'numeric', month: '2-digit', day: '2-digit',
    hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(new Date()).map((p) => [p.type, p.value]));
  return { day: `${parts.year}-${parts.month}-${parts.day}`, minutes: Number(parts.hour) * 60 + Number(parts.minute) };
}

// onShift gives a technician today a shift that holds now and six hours
// more (as far as midnight allows), so no warning depends on the hour the
// test runs at.
async function onShift(userId) {
  const { day, minutes } = siteNow();
  const endsAt = Math.min(1440, minutes + 360);
  const startsAt = Math.max(0, endsAt - 720);
  const { setShift } = await server.gql(tokens.foreman, `mutation($in: SetShiftInput!) { setShift(input: $in) { userErrors { code message } } }`,
    { in: { siteId: site.id, userId, day, startsAt, endsAt } });
  assert.deepEqual(setShift.userErrors, []);
}

describe('dispatch', () => {
  let qiu;
  before(async () => {
    const { site: s } = await server.gql(tokens.foreman, 'query($s: ID!) { site(id: $s) { staff(role: TECHNICIAN) { id name } } }', { s: site.id });
    qiu = s.staff.find((u) => u.name === '邱明');
    assert.ok(qiu, 'the demo has 邱明 on leave');
    await onShift(ids.lead.id);
  });

  test('dispatch by tap: job, technician, bay; a busy bay asks for a confirming tap', async () => {
    const car = await receiveCar();
    const { page, seen } = await openPage('dispatch', tokens.foreman);
    const item = `#waiting [data-job="${car.jobId}"]`;
    await page.waitForSelector(item, { timeout: LIVE });
    await page.click(`${item} [data-pick="job"]`);
    await page.click(`#techs [data-tech="${ids.lead.id}"] [data-pick="tech"]`);
    // A bay holding another car: warned before anything is sent.
    const busy = await page.$eval('#bays .bay.taken', (b) => b.dataset.bay);
    await page.click(`#bays [data-bay="${busy}"] [data-pick="bay"]`);
    await page.waitForSelector('#bar .warning[data-warn="busy-bay"]', { timeout: LIVE });
    assert.match(await page.textContent('#bar .warning[data-warn="busy-bay"]'), /已有车辆/);
    await page.screenshot({ path: shotPath('floor-dispatch-warning-zh-1920x1080.png') });
    // The first tap only asks; nothing changes until the second.
    await page.click(`#bar[data-job="${car.jobId}"] [data-action="dispatchJob"][data-confirm="ask"]`);
    await page.waitForSelector('#bar[data-confirm="yes"] [data-action="dispatchJob"][data-confirm="yes"]', { timeout: LIVE });
    assert.equal((await job(car.jobId)).state, 'WAITING_DISPATCH');
    await page.click('#bar[data-confirm="yes"] button:not([data-action])');
    const free = await page.$eval('#bays .bay.open', (b) => b.dataset.bay);
    await page.click(`#bays [data-bay="${free}"] [data-pick="bay"]`);
    assert.equal(await page.$$eval('#bar .warning', (ws) => ws.length), 0, 'no warning on a free bay and an idle technician on shift');
    const ms = await tap(page, `#bar[data-job="${car.jobId}"] [data-action="dispatchJob"]`, car.orderId, { stage: 'IN_WORK' });
    console.log(`# board card moved to IN_WORK ${ms.fromAnswer} ms after dispatchJob answered (${ms.fromTap} ms after the tap)`);
    const j = await job(car.jobId);
    assert.equal(j.state, 'DISPATCHED');
    assert.equal(j.technician.id, ids.lead.id);
    assert.equal(j.bay.id, free);
    await page.waitForSelector(item, { state: 'detached', timeout: LIVE });
    await page.waitForSelector(`#techs [data-tech="${ids.lead.id}"] [data-job="${car.jobId}"]`, { timeout: LIVE });
    // The latest events read in Chinese, times in the site's zone.
    await page.waitForSelector('#feed li[data-kind="JOB_DISPATCHED"]', { timeout: LIVE });
    const feed = await page.textContent('#feed');
    assert.match(feed, /派工：更换前刹车片/);
    assert.doesNotMatch(feed, /Dispatched|T\d\d:\d\d:\d\dZ/);
    await page.screenshot({ path: shotPath('floor-dispatch-feed-zh-1920x1080.png') });
    assert.deepEqual(seen.errors, []);
    await page.close();
  });

  test('the rota: shift, leave last and greyed, skills, capacity by skill; leave and a missing skill are warned about', async () => {
    const car = await receiveCar();
    const { setJobSkill } = await server.gql(tokens.foreman, `mutation($in: SetJobSkillInput!) { setJobSkill(input: $in) { userErrors { code message } } }`,
      { in: { jobId: car.jobId, skill: 'AC' } });
    assert.deepEqual(setJobSkill.userErrors, []);
    const { page, seen } = await openPage('dispatch', tokens.foreman);
    const item = `#waiting [data-job="${car.jobId}"]`;
    await page.waitForSelector(`${item} .chip.need[data-skill="AC"]`, { timeout: LIVE });
    assert.match(await page.textContent(`${item} .chip.need`), /需 空调/);

    // Today's shift with its hours; the one on leave (请假) last, greyed, without a load bar.
    const lead = `#techs [data-tech="${ids.lead.id}"]`;
    assert.match(await page.textContent(`${lead} .duty`), /班次 \d\d:\d\d–\d\d:\d\d/);
    assert.match(await page.textContent(`${lead} .load`), /已排 .* \/ 班次剩 /);
    const leave = `#techs [data-tech="${qiu.id}"]`;
    assert.equal(await page.getAttribute(leave, 'data-duty'), 'leave');
    assert.match(await page.textContent(`${leave} .duty`), /请假 · 事假/);
    assert.equal(await page.$eval('#techs', (ul) => ul.lastElementChild.dataset.tech), qiu.id, 'leave is last');
    assert.equal(await page.$$eval(`${leave} .l3`, (x) => x.length), 0);
    const grey = await page.$eval(`${leave} .pick`, (b) => getComputedStyle(b).backgroundColor);
    assert.equal(grey, 'rgb(241, 243, 246)');
    assert.ok(await page.$(`${leave} .chip.skill[data-skill="AC"]`), 'skills shown');
    // Capacity by skill in the header, from the server's capacity.
    await page.waitForSelector('#cap .cap-skill[data-skill="AC"]');
    assert.match(await page.textContent('#cap'), /可用工时/);

    // Leave: warned, and the first tap only asks.
    await page.click(`${item} [data-pick="job"]`);
    await page.click(`${leave} [data-pick="tech"]`);
    const free = await page.$eval('#bays .bay.open', (b) => b.dataset.bay);
    await page.click(`#bays [data-bay="${free}"] [data-pick="bay"]`);
    await page.waitForSelector('#bar .warning[data-warn="leave"]', { timeout: LIVE });
    assert.match(await page.textContent('#bar .warning[data-warn="leave"]'), /今天请假/);
    await page.click('#bar [data-action="dispatchJob"][data-confirm="ask"]');
    await page.waitForSelector('#bar[data-confirm="yes"]', { timeout: LIVE });
    await page.screenshot({ path: shotPath('floor-dispatch-confirm-leave-zh-1920x1080.png') });
    await page.click('#bar[data-confirm="yes"] button:not([data-action])');
    assert.equal((await job(car.jobId)).state, 'WAITING_DISPATCH');

    // Without the skill: warned, confirmed, sent; the server takes it.
    await page.click(`${lead} [data-pick="tech"]`);
    await page.waitForSelector('#bar .warning[data-warn="skill"]', { timeout: LIVE });
    assert.equal(await page.$$eval('#bar .warning[data-warn="leave"]', (w) => w.length), 0);
    // It names who on shift has the skill: 何建华 (A/C), not 邱明 on leave.
    assert.match(await page.textContent('#bar .warning[data-warn="skill"]'), /需要「空调」技能.*在班有此技能：何工。/);
    assert.doesNotMatch(await page.textContent('#bar .warning[data-warn="skill"]'), /邱工/);
    await page.click('#bar [data-action="dispatchJob"][data-confirm="ask"]');
    await page.screenshot({ path: shotPath('floor-dispatch-confirm-skill-zh-1920x1080.png') });
    await tap(page, `#bar[data-confirm="yes"][data-job="${car.jobId}"] [data-action="dispatchJob"][data-confirm="yes"]`, car.orderId, { stage: 'IN_WORK' });
    const j = await job(car.jobId);
    assert.equal(j.state, 'DISPATCHED');
    assert.equal(j.technician.id, ids.lead.id);
    assert.deepEqual(seen.errors, []);
    await page.close();
  });

  test('drag a waiting job onto a technician, then onto a bay', async () => {
    const car = await receiveCar();
    const { page, seen } = await openPage('dispatch', tokens.foreman);
    const item = `#waiting [data-job="${car.jobId}"]`;
    await page.waitForSelector(item, { timeout: LIVE });
    const lead = `#techs [data-tech="${ids.lead.id}"]`;
    await page.locator(item).dragTo(page.locator(lead));
    await page.waitForSelector(`#bar[data-job="${car.jobId}"]`, { timeout: LIVE });
    assert.equal(await page.getAttribute(`${lead} [data-pick="tech"]`, 'aria-pressed'), 'true');
    const free = await page.$eval('#bays .bay.open', (b) => b.dataset.bay);
    await page.locator(item).dragTo(page.locator(`#bays [data-bay="${free}"]`));
    await page.waitForSelector(`#bays [data-bay="${free}"] [data-pick="bay"][aria-pressed="true"]`, { timeout: LIVE });
    assert.equal(await page.$$eval('#bar .warning', (ws) => ws.length), 0);
    await tap(page, `#bar[data-job="${car.jobId}"] [data-action="dispatchJob"]`, car.orderId, { stage: 'IN_WORK' });
    const j = await job(car.jobId);
    assert.equal(j.technician.id, ids.lead.id);
    assert.equal(j.bay.id, free);
    assert.deepEqual(seen.errors, []);
    await page.close();
  });

  test('the wash queue: a washed car leaves it', async () => {
    const { page } = await openPage('dispatch', tokens.foreman);
    const order = await page.$eval('#wash [data-order]', (li) => li.dataset.order);
    await tap(page, `#wash [data-order="${order}"] [data-action="finishWash"]`, order, { stage: 'READY' });
    await page.waitForSelector(`#wash [data-order="${order}"]`, { state: 'detached', timeout: LIVE });
    await page.close();
  });
});

// Before final inspection takes the demo's QC cars: every screen has something on it.
describe('screenshots', () => {
  const shots = [
    ['tablet', 'tech', [[1280, 800], [390, 844]]],
    ['tablet', 'lead', [[1280, 800]]],
    ['dispatch', 'foreman', [[1920, 1080], [1366, 768]]],
    ['qc', 'qc', [[1920, 1080], [1280, 800]]],
  ];
  for (const [path, who, sizes] of shots) {
    for (const lang of ['zh', 'en']) {
      for (const [width, height] of sizes) {
        test(`${path} as ${who}, ${lang}, ${width}×${height}`, async () => {
          const { page, seen } = await openPage(path, tokens[who], { lang, size: { width, height } });
          await page.waitForFunction(() => window.bayboard?.loads > 0);
          await page.evaluate(() => document.fonts.ready);
          // Touch targets: every button on the tablet at least 44 px high.
          if (path === 'tablet' || path === 'dispatch') {
            const small = await page.$$eval('button', (bs) => bs.filter((b) => b.offsetParent && b.getBoundingClientRect().height < 44).length);
            assert.equal(small, 0, 'buttons under 44 px');
            const { sw, iw } = await page.evaluate(() => ({ sw: document.documentElement.scrollWidth, iw: innerWidth }));
            assert.ok(sw <= iw, `page scrolls sideways: ${sw} in ${iw}`);
          }
          const text = await page.textContent('body');
          if (lang === 'en') assert.doesNotMatch(text, /待派工|施工中|总检通过|请假|班次/, 'Chinese words on an English screen');
          await page.screenshot({ path: shotPath(`floor-${path}${who === 'lead' ? '-lead' : ''}-${lang}-${width}x${height}.png`) });
          assert.deepEqual(seen.errors, []);
          await page.close();
        });
      }
    }
  }
});

describe('final inspection', () => {
  test('fail naming the jobs to rework, then pass another car', async () => {
    const { page, seen } = await openPage('qc', tokens.qc);
    const orders = await page.$$eval('#cars [data-order]', (as) => as.map((a) => a.dataset.order));
    assert.ok(orders.length >= 2, `cars in QC: ${orders.length}`);
    const [failing, passing] = orders;
    const card = `#cars [data-order="${failing}"]`;
    await page.click(`${card} [data-open="fail"]`);
    // No job ticked: said next to the list, nothing sent.
    await page.click(`${card} [data-action="recordFinalInspection"][data-passed="false"]`);
    await page.waitForSelector(`${card} .field-error`, { timeout: LIVE });
    const jobId = await page.$eval(`${card} input[name="failedJobIds"]`, (i) => i.value);
    await page.check(`${card} input[name="failedJobIds"][value="${jobId}"]`);
    await page.fill(`${card} [name="notes"]`, '刹车踏板仍偏软，请重新排气');
    await page.screenshot({ path: shotPath('floor-qc-fail-zh-1920x1080.png') });
    await tap(page, `${card} [data-action="recordFinalInspection"][data-passed="false"]`, failing, { stage: 'IN_WORK', blocker: 'QC_FAILED' });
    assert.equal((await job(jobId)).state, 'REWORK');
    await page.waitForSelector(card, { state: 'detached', timeout: LIVE });

    const ms = await tap(page, `#cars [data-order="${passing}"] [data-action="recordFinalInspection"][data-passed="true"]`, passing, { notStage: 'CHECKS' });
    console.log(`# QC pass moved the card ${ms.fromAnswer} ms after the answer (${ms.fromTap} ms after the tap)`);
    const { node } = await server.gql(tokens.qc, 'query($id: ID!) { node(id: $id) { ... on RepairOrder { state } } }', { id: passing });
    assert.ok(['WASH', 'READY'].includes(node.state), node.state);
    assert.deepEqual(seen.errors, []);
    await page.close();
  });
});

describe('a lapsed or wrong token', () => {
  test('a wall board token on /tablet is told it may not use it', async () => {
    const page = await browser.ctx.newPage();
    await page.goto(`${server.base}/tablet?token=${tokens.board}`);
    await page.waitForSelector('#fatal[data-kind="role"]', { state: 'visible', timeout: 10000 });
    assert.match(await page.textContent('#fatal'), /BOARD/);
    await page.close();
  });

  for (const path of ['tablet', 'dispatch', 'qc', 'board']) {
    test(`/${path} says so full screen`, async () => {
      const page = await browser.ctx.newPage();
      await page.setViewportSize({ width: 1280, height: 800 });
      await page.goto(`${server.base}/${path}?token=demo-wrong-token`);
      if (path === 'board') {
        // The board keeps its own status line (its file is not the floor's).
        await page.waitForSelector('#conn[data-state="unauthorized"]', { timeout: 10000 });
      } else {
        await page.waitForSelector('#fatal[data-kind="token"]', { state: 'visible', timeout: 10000 });
        assert.match(await page.textContent('#fatal'), /令牌已失效或不正确/);
        // Nothing of a workshop behind it.
        assert.equal(await page.$$eval('main', (ms) => ms.filter((m) => m.offsetParent !== null).length), 0);
        if (path === 'tablet') await page.screenshot({ path: shotPath('floor-token-wrong-zh-1280x800.png') });
      }
      await page.close();
    });
  }
});
