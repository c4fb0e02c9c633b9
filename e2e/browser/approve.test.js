// Browser test of the customer's approval link (issue 17), at phone size: a
// technician fills an inspection with a photo, a red item becomes proposed
// work in one tap, the advisor sends the link, and the customer approves one
// item and declines another on the page, with their name. The answers are
// the same approve/decline decisions, recorded as CUSTOMER_LINK. Screenshot:
// e2e/screenshots/approve-phone.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { buildServer, createDatabase, dropDatabase, freePort, Server, launchBrowser, shotPath } from './lib.js';

// An 8×6 PNG checkerboard: a real image, checked and re-encoded by the server.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAgAAAAGCAIAAABxZ0isAAAAGUlEQVR4nGO4o6Ym57Aek2TAKgokGeigAwCJlzT5PRcugwAAAABJRU5ErkJggg==', 'base64');

let bin, db, server, browser, tokens, site;

before(async () => {
  bin = buildServer();
  db = createDatabase();
  server = await new Server({ bin, dbURL: db.url, port: await freePort() }).start();
  tokens = { advisor: server.token('ADVISOR'), tech: server.token('TECHNICIAN'), manager: server.token('SERVICE_MANAGER') };
  ({ sites: [site] } = await server.gql(tokens.advisor, '{ sites { id code } }'));
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
  if (db) dropDatabase(db.name);
});

async function upload(token, ownerType, ownerId) {
  const form = new FormData();
  form.append('ownerType', ownerType);
  form.append('ownerId', ownerId);
  form.append('file', new Blob([PNG], { type: 'application/octet-stream' }), 'photo.bin');
  const r = await fetch(server.base + '/attachments', { method: 'POST', headers: { Authorization: 'Bearer ' + token }, body: form });
  const body = await r.json();
  assert.equal(r.status, 201, JSON.stringify(body));
  return body;
}

test('the customer approves one item and declines another from a phone', async () => {
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

  // The inspection on the tablet: brakes red with a photo, wipers green; the red item proposed in one tap.
  const { createInspectionChecklist: { checklist } } = await server.gql(tokens.manager, `mutation($in: CreateInspectionChecklistInput!) {
    createInspectionChecklist(input: $in) { checklist { id } userErrors { code message } } }`, { in: {
    siteId: site.id, name: '35000 公里保养', workType: 'MAINTENANCE',
    entries: [{ name: '前刹车片', labourMinutes: 60 }, { name: '雨刮片', labourMinutes: 10 }, { name: '轮胎' }] } });
  const { startInspection: { inspection } } = await server.gql(tokens.tech, `mutation($in: StartInspectionInput!) {
    startInspection(input: $in) { inspection { items { id name } } userErrors { code message } } }`, { in: { orderId: ro.id, checklistId: checklist.id } });
  const [brakes, wipers, tyres] = inspection.items;
  const record = (itemId, status, note) => server.gql(tokens.tech, `mutation($in: RecordInspectionItemInput!) {
    recordInspectionItem(input: $in) { item { status } userErrors { code message } } }`, { in: { itemId, status, note } });
  await record(brakes.id, 'RED', '前刹车片剩 2mm，需更换');
  await record(wipers.id, 'AMBER', '雨刮片老化，刮不干净');
  await record(tyres.id, 'GREEN');
  await upload(tokens.tech, 'INSPECTION_ITEM', brakes.id);
  const propose = (itemId) => server.gql(tokens.tech, `mutation($in: ProposeFromInspectionItemInput!) {
    proposeFromInspectionItem(input: $in) { additionalWork { id safety } userErrors { code message } } }`, { in: { itemId } });
  const { proposeFromInspectionItem: { additionalWork: brakeWork } } = await propose(brakes.id);
  const { proposeFromInspectionItem: { additionalWork: wiperWork } } = await propose(wipers.id);
  assert.ok(brakeWork.safety && !wiperWork.safety);
  await upload(tokens.tech, 'ADDITIONAL_WORK', brakeWork.id);

  // The advisor sends the link; the approval request carries it.
  const { sendApprovalLink: sent } = await server.gql(tokens.advisor, `mutation($in: SendApprovalLinkInput!) {
    sendApprovalLink(input: $in) { url message { kind body } userErrors { code message } } }`, { in: { orderId: ro.id } });
  assert.equal(sent.message.kind, 'APPROVAL_REQUEST');
  assert.ok(sent.message.body.includes(sent.url));

  const page = await browser.ctx.newPage();
  await page.setViewportSize({ width: 390, height: 844 });
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(server.base + new URL(sent.url).pathname);
  await page.waitForSelector('.item', { timeout: 5000 });
  assert.equal(await page.locator('.item').count(), 2);
  assert.equal(await page.locator('.finding').count(), 3);
  assert.match(await page.textContent('#car'), new RegExp(plate));
  assert.equal(await page.locator('.finding .photos img').count(), 1);
  await page.waitForFunction(() => [...document.querySelectorAll('img')].every((i) => i.complete && i.naturalWidth > 0));

  // No name: nothing is sent.
  await page.click(`.item[data-id="${brakeWork.id}"] .approve`);
  await page.waitForSelector('#error:not([hidden])');
  await page.fill('#name', '林女士');
  await page.click(`.item[data-id="${brakeWork.id}"] .approve`);
  await page.waitForSelector(`.item[data-id="${brakeWork.id}"] .answered.APPROVED`, { timeout: 3000 });
  await page.click(`.item[data-id="${wiperWork.id}"] .decline`);
  await page.waitForSelector(`.item[data-id="${wiperWork.id}"] .answered.DECLINED`, { timeout: 3000 });

  const { repairOrder } = await server.gql(tokens.advisor, `query($id: ID!) { repairOrder(id: $id) {
    additionalWork { id state contactMethod customerContact } } }`, { id: ro.id });
  const byId = Object.fromEntries(repairOrder.additionalWork.map((w) => [w.id, w]));
  assert.deepEqual([byId[brakeWork.id].state, byId[brakeWork.id].contactMethod, byId[brakeWork.id].customerContact], ['APPROVED', 'CUSTOMER_LINK', '林女士']);
  assert.deepEqual([byId[wiperWork.id].state, byId[wiperWork.id].contactMethod], ['DECLINED', 'CUSTOMER_LINK']);

  await page.screenshot({ path: shotPath('approve-phone.png'), fullPage: true });
  await page.click('#lang');
  assert.equal(await page.textContent('#title'), 'Approve additional work');
  await page.screenshot({ path: shotPath('approve-phone-en.png'), fullPage: true });

  // A made-up token shows the expired sentence and nothing else.
  await page.goto(server.base + '/approve/bbl_nope');
  await page.waitForSelector('#error:not([hidden])');
  assert.equal(await page.locator('.item').count(), 0);
  assert.deepEqual(errors, []);
  await page.close();
});
