// Browser tests of the desk: the advisor's desk (/advisor), the cashier
// (/cashier) and the print pages (/print). Every action is a click on a
// control carrying data-action="<mutation>"; the API is used only to check
// what the screen did and, for the workshop's own steps (dispatch, the
// technician's work, the parts clerk's issue slips, QC), to bring a car to
// the desk's next step. The cashier settles with real money: a discount,
// part payment and the rest, the invoice, the sign-off of a bill over
// ¥10,000, an account customer, the receivables tab. The
// whole visit through every screen is visit.test.js. Screenshots of the
// desk at 1920×1080 and 1366×768, the cashier and every print page, in zh
// and en, land in e2e/screenshots/.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { buildServer, createDatabase, dropDatabase, freePort, Server, launchBrowser, watch, shotPath } from './lib.js';

const PLATE_CHARS = 'ABCDEFGHJKLMNPQRSTUVWXYZ0123456789';
const rnd = (n, chars) => Array.from({ length: n }, () => chars[Math.floor(Math.random() * chars.length)]).join('');

let bin, db, server, browser, site, tokens, staff;

before(async () => {
  bin = buildServer();
  db = createDatabase();
  server = await new Server({ bin, dbURL: db.url, port: await freePort() }).start();
  tokens = {
    advisor: server.token('ADVISOR', 'wang'),
    foreman: server.token('FOREMAN'),
    tech: server.token('TECHNICIAN', 'zhang'),
    lead: server.token('TECHNICIAN', 'teamlead-zhao'),
    qc: server.token('QC_INSPECTOR', 'chenjing'),
    cashier: server.token('CASHIER'),
    parts: server.token('PARTS_CLERK', 'demo-parts-xuhui'),
    manager: server.token('SERVICE_MANAGER'),
    board: server.token('BOARD', 'sz01'),
  };
  ({ sites: [site] } = await server.gql(tokens.advisor, '{ sites { id code name timeZone } }'));
  ({ site: staff } = await server.gql(tokens.advisor, `query($s: ID!) { site(id: $s) { staff { id name role } bays { id code kind } } }`, { s: site.id }));
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
  if (db) dropDatabase(db.name);
});

const ORDER = `query($id: ID!) { repairOrder(id: $id) { id number state version promisedAt jobs { id state description } partLines { id partNumber quantity part { id } }
  additionalWork { id state contactMethod customerContact } bill { total { amount } customerShare { amount } }
  settlement { paymentMethod paymentReference discount { amount } paid { amount } balanceDue { amount } invoiceNumber depositCredited { amount }
    signedOffBy { name } payments { amount { amount } method } receivables { id payer balance { amount } } }
  visit { id exitPass belongings } } }`;
const order = async (id) => (await server.gql(tokens.advisor, ORDER, { id })).repairOrder;

// workshop brings every open job of an order through the workshop over the
// API (those are the floor's screens, tested in floor*.test.js and
// visit.test.js): dispatch, start, finish, self-check, team-lead check, QC.
// Once a job is under way the parts clerk issues every catalogue part line
// to the technician (出库), for the bill charges what was issued and
// settlement refuses a line never issued.
async function workshop(orderId) {
  const zhang = staff.staff.find((u) => u.name === '张伟');
  const bay = staff.bays.find((b) => b.kind !== 'WASH');
  const o = await order(orderId);
  const jobs = o.jobs.filter((j) => ['WAITING_DISPATCH', 'DISPATCHED', 'IN_PROGRESS'].includes(j.state));
  const act = (token, name, type, input) => server.gql(token, `mutation($in: ${type}!) { ${name}(input: $in) { userErrors { code message } } }`, { in: input });
  let issued = false;
  for (const j of jobs) {
    if (j.state === 'WAITING_DISPATCH') await act(tokens.foreman, 'dispatchJob', 'DispatchJobInput', { jobId: j.id, technicianId: zhang.id, bayId: bay.id });
    if (j.state !== 'IN_PROGRESS') await act(tokens.tech, 'startJob', 'JobActionInput', { jobId: j.id });
    if (!issued) {
      for (const p of o.partLines.filter((l) => l.part)) {
        await act(tokens.parts, 'issueParts', 'IssuePartsInput', { orderId, partId: p.part.id, quantity: p.quantity, drawnBy: zhang.id, partLineId: p.id });
      }
      issued = true;
    }
    await act(tokens.tech, 'finishJob', 'JobActionInput', { jobId: j.id });
    await act(tokens.tech, 'recordSelfCheck', 'RecordJobCheckInput', { jobId: j.id, passed: true });
    await act(tokens.lead, 'recordTeamLeadCheck', 'RecordJobCheckInput', { jobId: j.id, passed: true });
  }
  await act(tokens.qc, 'recordFinalInspection', 'RecordFinalInspectionInput', { orderId, passed: true, notes: '总检合格' });
}

// drawSignature signs the canvas with the mouse, a few strokes.
async function drawSignature(page) {
  await page.locator('canvas.sig').scrollIntoViewIfNeeded();
  const box = await page.locator('canvas.sig').boundingBox();
  const x = box.x + 40;
  const y = box.y + box.height * 0.6;
  await page.mouse.move(x, y);
  await page.mouse.down();
  for (let i = 1; i <= 24; i++) await page.mouse.move(x + i * 12, y + Math.sin(i / 2) * 25);
  await page.mouse.up();
}

async function openPage(path, token, { width = 1920, height = 1080, lang = '' } = {}) {
  const page = await browser.ctx.newPage();
  await page.setViewportSize({ width, height });
  const seen = watch(page);
  await page.goto(`${server.base}${path}?token=${token}${lang ? '&lang=' + lang : ''}`);
  return { page, seen };
}

// printPage opens a print link of the desk (a new tab, as the browser does)
// and waits until the sheet is drawn.
async function printPage(page, selector) {
  const [popup] = await Promise.all([page.waitForEvent('popup'), page.click(selector)]);
  await popup.waitForSelector('body[data-ready="1"]', { timeout: 10000 });
  return popup;
}

describe('the advisor’s desk, the cashier and print', () => {
  let page, seen, car, orderId, apptVisitId;

  before(async () => {
    ({ page, seen } = await openPage('/advisor', tokens.advisor));
    await page.waitForSelector('#conn[data-state="live"]', { timeout: 15000 });
    car = { plate: '粤B' + rnd(5, PLATE_CHARS), name: '接车测试' + rnd(2, '甲乙丙丁戊己庚辛'), phone: '137' + rnd(8, '0123456789') };
  });

  test('reception: a new customer and car, a wrong VIN shown next to its field, then the draft order', async () => {
    await page.click('#reception-open');
    const f = page.locator('#reception');
    await f.locator('[name="customer.name"]').fill(car.name);
    await f.locator('[name="customer.phone"]').fill(car.phone);
    await f.locator('[name="vehicle.plate"]').fill(car.plate);
    await f.locator('[name="vehicle.vin"]').fill('LVGBE40K1234');
    await f.locator('[name="vehicle.make"]').fill('丰田');
    await f.locator('[name="vehicle.model"]').fill('卡罗拉');
    await f.locator('[name="mileage"]').fill('38500');
    await f.locator('[name="fuelLevel"]').fill('40');
    await f.locator('[name="keyTag"]').fill('K' + rnd(3, '0123456789'));
    await f.locator('[name="complaint"]').fill('保养，空调有异味');
    await f.locator('[name="damages"]').fill('左前门：划痕5cm\n后保险杠：轻微凹陷');
    await f.locator('[name="belongings"]').fill('行车记录仪\n雨伞');
    await f.locator('[name="walkaroundSigned"]').check();
    await f.locator('[data-action="receiveVehicle"]').click();
    const err = page.locator('#reception [name="vehicle.vin"] + .field-error');
    await err.waitFor({ timeout: 5000 });
    assert.match(await err.textContent(), /VIN/);
    assert.equal(await f.locator('[name="vehicle.vin"]').getAttribute('aria-invalid'), 'true');

    await f.locator('[name="vehicle.vin"]').fill('');
    await f.locator('[data-action="receiveVehicle"]').click();
    await page.waitForSelector('[data-visit] [data-action="createRepairOrder"]', { timeout: 5000 });
    await page.selectOption('[data-visit] [name="workType"]', 'MAINTENANCE');
    await page.fill('[data-visit] [name="findings"]', '按里程保养；空调滤芯需更换');
    await page.click('[data-visit] [data-action="createRepairOrder"]');
    await page.waitForSelector('.order-desk[data-state="DRAFT"]', { timeout: 5000 });
    orderId = await page.getAttribute('.order-desk', 'data-order');
    const o = await order(orderId);
    assert.equal(o.state, 'DRAFT');
    assert.deepEqual(o.visit.belongings, ['行车记录仪', '雨伞']);
    // The new visit is in "my open visits" at once.
    await page.waitForSelector(`#orders-body tr[data-order="${orderId}"]`, { timeout: 3000 });
  });

  test('reception: the booked customer picked up from today’s appointments; a regular found by plate', async () => {
    const { site: s } = await server.gql(tokens.advisor, `query($s: ID!) { site(id: $s) { appointments { id state deposit { amount } vehicle { plate mileage } } } }`, { s: site.id });
    // One with a deposit (定金) when the demo has it: the cashier credits it.
    const appt = s.appointments.find((a) => a.state === 'BOOKED' && Number(a.deposit.amount) > 0) || s.appointments.find((a) => a.state === 'BOOKED');
    await page.click('#reception-open');
    await page.click(`#appointments li[data-appointment="${appt.id}"] button`);
    assert.match(await page.textContent('#picked'), /预约/);
    const f = page.locator('#reception');
    await f.locator('[name="mileage"]').fill(String(appt.vehicle.mileage + 1200));
    await f.locator('[name="keyTag"]').fill('A' + rnd(3, '0123456789'));
    await f.locator('[name="walkaroundSigned"]').check();
    await f.locator('[data-action="receiveVehicle"]').click();
    await page.waitForSelector('[data-visit] [data-action="createRepairOrder"]', { timeout: 5000 });
    const visitId = await page.getAttribute('[data-visit]', 'data-visit');
    const { node: v } = await server.gql(tokens.advisor, `query($id: ID!) { node(id: $id) { ... on Visit { appointment { id state } vehicle { plate } } } }`, { id: visitId });
    assert.equal(v.appointment.id, appt.id);
    assert.equal(v.appointment.state, 'ARRIVED');
    assert.equal(v.vehicle.plate, appt.vehicle.plate);
    apptVisitId = visitId;

    // A customer with history, found by the plate of one of their cars.
    await page.click('#reception-open');
    await page.fill('#lookup', car.plate.slice(2));
    await page.waitForSelector('#lookup-results li[data-customer]', { timeout: 5000 });
    assert.match(await page.textContent('#lookup-results'), new RegExp(car.name));
    await page.click('#lookup-results li[data-customer]');
    assert.match(await page.textContent('#picked'), new RegExp(car.phone));
    assert.ok(await page.isHidden('#new-customer'), 'no new-customer fields for a customer found');
    assert.ok(await page.isChecked('#veh-pick input[type="radio"]'), 'their car is picked');
    await page.click(`#orders-body tr[data-order="${orderId}"]`);
    await page.waitForSelector(`.order-desk[data-order="${orderId}"]`);
  });

  test('estimate: jobs and a catalogue part with its stock; CONFLICT shows the order as it is now', async () => {
    const desk = `.order-desk[data-order="${orderId}"]`;
    await page.fill(`${desk} [name="job.description"]`, '更换机油机滤');
    await page.fill(`${desk} [name="job.labourMinutes"]`, '30');
    await page.click(`${desk} [data-action="addJob"]`);
    await page.waitForFunction((d) => document.querySelectorAll(`${d} tr[data-job]`).length === 1, desk, { timeout: 5000 });

    await page.fill(`${desk} [name="part.partNumber"]`, '04152');
    await page.waitForSelector(`${desk} .parts-found li[data-part]`, { timeout: 5000 });
    await page.click(`${desk} .parts-found li[data-part]`);
    await page.click(`${desk} [data-action="addPartLine"]`);
    await page.waitForFunction((d) => document.querySelector(`${d} tr[data-part-line] .avail`)?.textContent.match(/有货/), desk, { timeout: 5000 });

    // Someone else adds a job while the advisor types: the desk offers a
    // refresh (it does not wipe the typing), the advisor's change is refused
    // and the order is shown as it is now, with that job.
    await page.fill(`${desk} [name="job.description"]`, '四轮定位');
    await server.gql(tokens.advisor, `mutation($in: AddJobInput!) { addJob(input: $in) { userErrors { code message } } }`,
      { in: { orderId, job: { description: '更换空调滤芯', labourMinutes: 18 } } });
    await page.waitForSelector(`${desk} .stale`, { timeout: 2000 });
    await page.click(`${desk} [data-action="addJob"]`);
    await page.waitForSelector(`${desk} .conflict`, { timeout: 5000 });
    assert.match(await page.textContent(`${desk} [data-section="jobs"]`), /更换空调滤芯/);
    const o = await order(orderId);
    assert.deepEqual(o.jobs.map((j) => j.description).sort(), ['更换机油机滤', '更换空调滤芯'].sort());
    assert.deepEqual(o.partLines.map((p) => p.partNumber), ['04152-YZZA1']);
    await page.screenshot({ path: shotPath('advisor-order-1920x1080.png') });
  });

  test('signature: refused without a drawn signature, then signed on the canvas; the repair order prints with it', async () => {
    const desk = `.order-desk[data-order="${orderId}"]`;
    await page.click(`${desk} [data-action="signRepairOrder"]`);
    await page.waitForSelector(`${desk} [data-section="sign"] .form-error:not([hidden])`);
    assert.equal((await order(orderId)).state, 'DRAFT');
    await drawSignature(page);
    await page.click(`${desk} [data-action="signRepairOrder"]`);
    await page.waitForSelector(`.order-desk[data-order="${orderId}"][data-state="SIGNED"]`, { timeout: 5000 });

    const sheet = await printPage(page, `.order-desk [data-print="order"]`);
    const text = await sheet.textContent('#sheet');
    assert.match(text, /任务委托书/);
    assert.ok(text.includes(car.name) && text.includes(car.plate), text);
    assert.ok(await sheet.$('.signs img[src^="data:image/png"]'), 'the drawn signature is on the printed order');
    assert.ok(!sheet.url().includes('token='), 'the token left the print page’s address');
    await sheet.close();

    await page.selectOption(`.order-desk [name="priority"]`, 'HIGH');
    await page.click(`.order-desk [data-action="handOverRepairOrder"]`);
    await page.waitForSelector(`.order-desk[data-order="${orderId}"][data-state="IN_WORK"]`, { timeout: 5000 });
  });

  test('the alert gets its buttons: additional work approved from the alert, with how the customer was reached', async () => {
    const o = await order(orderId);
    await server.gql(tokens.foreman, `mutation($in: DispatchJobInput!) { dispatchJob(input: $in) { userErrors { code message } } }`,
      { in: { jobId: o.jobs[0].id, technicianId: staff.staff.find((u) => u.name === '张伟').id, bayId: staff.bays.find((b) => b.kind !== 'WASH').id } });
    await server.gql(tokens.tech, `mutation($in: JobActionInput!) { startJob(input: $in) { userErrors { code message } } }`, { in: { jobId: o.jobs[0].id } });
    await page.click('#drawer-close');
    const { requestAdditionalWork: { additionalWork: aw } } = await server.gql(tokens.tech, `mutation($in: RequestAdditionalWorkInput!) {
      requestAdditionalWork(input: $in) { additionalWork { id } userErrors { code message } } }`, { in: {
      orderId, foundOnJobId: o.jobs[0].id, description: '更换雨刮片', reason: '雨刮片老化', labourMinutes: 10, extraMinutes: 15, safety: false,
    } });
    const alert = `#needs [data-additional="${aw.id}"]`;
    await page.waitForSelector(alert, { timeout: 2000 });
    await page.selectOption(`${alert} [name="contactMethod"]`, 'PHONE');
    await page.click(`${alert} [data-action="approveAdditionalWork"]`);
    await page.waitForFunction((a) => !document.querySelector(a), alert, { timeout: 5000 });
    const after = (await order(orderId)).additionalWork.find((x) => x.id === aw.id);
    assert.equal(after.state, 'APPROVED');
    assert.equal(after.contactMethod, 'PHONE');
    assert.equal(after.customerContact, car.name);
  });

  test('customer told: the reason is required, then the new promised time is saved in the site’s time zone', async () => {
    await page.click(`#orders-body tr[data-order="${orderId}"]`);
    const told = `.order-desk[data-order="${orderId}"] [data-section="told"]`;
    await page.waitForSelector(told);
    await page.fill(`${told} [name="promisedAt"]`, '2030-06-01T17:30');
    await page.click(`${told} [data-action="updateRepairOrder"]`);
    await page.waitForSelector(`${told} [name="reason"] + .field-error`, { timeout: 5000 });
    await page.fill(`${told} [name="reason"]`, '等待空调滤芯到货，已电话告知客户');
    await page.click(`${told} [data-action="updateRepairOrder"]`);
    await page.waitForFunction(() => !document.querySelector('[data-section="told"] .field-error'));
    let o;
    for (let i = 0; i < 50; i++) {
      o = await order(orderId);
      if (o.promisedAt?.startsWith('2030')) break;
    }
    // 17:30 on the site's clock, whatever this machine's zone is (the demo
    // may place its site in any zone).
    const local = new Intl.DateTimeFormat('en-CA', { timeZone: site.timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
      .format(new Date(o.promisedAt)).replace(', ', 'T');
    assert.equal(local, '2030-06-01T17:30');
  });

  // reopen waits for the open bill to show selector (the cashier follows the
  // board feed); when the change did not reach the open bill, the cashier
  // picks the car again, as a person would.
  async function reopen(cp, id, selector) {
    try {
      await cp.waitForSelector(selector, { timeout: 3000 });
    } catch {
      await cp.click(`li[data-order="${id}"]`);
      await cp.waitForSelector(selector, { timeout: 5000 });
    }
  }

  // settleRaw calls settleRepairOrder over the API and returns its userErrors.
  async function settleRaw(token, input) {
    const r = await fetch(server.base + '/query', { method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: 'Bearer ' + token },
      body: JSON.stringify({ query: 'mutation($in: SettleRepairOrderInput!) { settleRepairOrder(input: $in) { userErrors { code field message } } }', variables: { in: input } }) });
    return (await r.json()).data.settleRepairOrder.userErrors;
  }

  test('cashier: a discount approved, a bad amount refused next to its field, part payment, the rest, the invoice; prints', async () => {
    await workshop(orderId);
    assert.equal((await order(orderId)).state, 'READY');
    // The service manager approves a discount at the counter with their own token.
    const { page: mp, seen: mseen } = await openPage('/cashier', tokens.manager);
    await mp.waitForSelector('#conn[data-state="live"]', { timeout: 15000 });
    await mp.click(`#queue li[data-order="${orderId}"]`);
    await mp.waitForSelector(`#settle [data-order="${orderId}"] [data-action="approveDiscount"]`);
    await mp.fill('[data-section="discount"] [name="amount"]', '20');
    await mp.fill('[data-section="discount"] [name="reason"]', '老客户保养优惠');
    await mp.click('[data-section="discount"] [data-action="approveDiscount"]');
    await mp.waitForSelector('[data-section="sums"] tr[data-sum="discount"]', { timeout: 5000 });
    assert.match(await mp.textContent('[data-section="sums"] tr[data-sum="discount"]'), /孙丽/);
    assert.deepEqual(mseen.errors, []);
    await mp.close();

    const { page: cp, seen: cseen } = await openPage('/cashier', tokens.cashier);
    await cp.waitForSelector('#conn[data-state="live"]', { timeout: 15000 });
    await cp.waitForSelector(`#queue li[data-order="${orderId}"]`, { timeout: 5000 });
    await cp.click(`#queue li[data-order="${orderId}"]`);
    await cp.waitForSelector(`#settle [data-order="${orderId}"] [data-action="settleRepairOrder"]`);
    // The cashier sees the discount and who approved it, and may not give one.
    assert.match(await cp.textContent('[data-section="sums"]'), /折扣[\s\S]*20\.00[\s\S]*孙丽/);
    assert.equal(await cp.$('[data-action="approveDiscount"]'), null);
    const before = await order(orderId);
    const due = Math.round(Number(before.bill.customerShare.amount) * 100) - 2000;
    assert.equal(await cp.inputValue('#settle [name="amountPaid"]'), (due / 100).toFixed(2));

    // More than owed: the server's userError next to the field, nothing changes.
    await cp.fill('#settle [name="amountPaid"]', '99999');
    await cp.selectOption('#settle [name="paymentMethod"]', 'WECHAT_PAY');
    await cp.click('#settle [data-action="settleRepairOrder"]');
    const err = cp.locator('#settle [name="amountPaid"] + .field-error');
    await err.waitFor({ timeout: 5000 });
    assert.equal(await err.getAttribute('data-code'), 'INVALID');
    assert.equal((await order(orderId)).state, 'READY');
    assert.equal((await order(orderId)).version, before.version);

    // Part payment now, the rest later.
    const half = Math.floor(due / 2);
    await cp.fill('#settle [name="amountPaid"]', (half / 100).toFixed(2));
    await cp.fill('#settle [name="paymentReference"]', 'WX' + rnd(10, '0123456789'));
    await cp.screenshot({ path: shotPath('cashier-settle-1920x1080-zh.png') });
    await cp.click('#settle [data-action="settleRepairOrder"]');
    await cp.waitForSelector(`#settle [data-order="${orderId}"][data-state="SETTLED"]`, { timeout: 5000 });
    let o = await order(orderId);
    assert.equal(o.state, 'SETTLED');
    assert.equal(o.settlement.paymentMethod, 'WECHAT_PAY');
    assert.equal(o.settlement.discount.amount, '20.00');
    assert.equal(o.settlement.paid.amount, (half / 100).toFixed(2));
    assert.equal(o.settlement.balanceDue.amount, ((due - half) / 100).toFixed(2));
    assert.match(await cp.textContent('#settle .owe-note'), /尚欠/);
    await cp.screenshot({ path: shotPath('cashier-owing-1920x1080-zh.png') });

    await cp.selectOption('[data-section="recordPayment"] [name="method"]', 'CASH');
    await cp.click('[data-section="recordPayment"] [data-action="recordPayment"]');
    await cp.waitForSelector('#settle .ok-note[data-balance="0.00"]', { timeout: 5000 });
    const invoice = 'FP' + rnd(8, '0123456789');
    await cp.fill('[data-section="recordInvoice"] [name="invoiceNumber"]', invoice);
    await cp.click('[data-section="recordInvoice"] [data-action="recordInvoice"]');
    await cp.waitForFunction(() => !document.querySelector('[data-section="recordInvoice"]'), null, { timeout: 5000 });
    o = await order(orderId);
    assert.equal(o.settlement.balanceDue.amount, '0.00');
    assert.equal(o.settlement.invoiceNumber, invoice);
    assert.deepEqual(o.settlement.payments.map((p) => p.method), ['WECHAT_PAY', 'CASH']);

    for (const kind of ['settlement', 'exitpass']) {
      const sheet = await printPage(cp, `#settle [data-print="${kind}"]`);
      const text = await sheet.textContent('#sheet');
      assert.match(text, kind === 'settlement' ? /结算单/ : /出门证/);
      if (kind === 'settlement') {
        assert.ok(text.includes(invoice), 'the invoice number is on the settlement sheet');
        assert.match(text, /折扣[\s\S]*20\.00/);
        assert.match(text, /尚欠¥0\.00/);
      }
      await sheet.close();
    }
    assert.deepEqual(cseen.errors, []);
    await cp.close();
  });

  test('cashier: a bill over ¥10,000 is refused until the service manager signs it off; the insurer’s receivable is paid from the receivables tab', async () => {
    // A big accident repair on the booked customer's visit (the estimate is
    // the advisor's desk, tested above; here it is made over the API).
    const { createRepairOrder: { repairOrder: big } } = await server.gql(tokens.advisor, `mutation($in: CreateRepairOrderInput!) { createRepairOrder(input: $in) { repairOrder { id version } userErrors { code message } } }`,
      { in: { visitId: apptVisitId, workType: 'ACCIDENT', insuranceClaim: true, insurerName: '平安保险', assessmentReference: 'PA' + rnd(8, '0123456789'), paymentMethod: 'WECHAT_PAY',
        jobs: [{ description: '更换前保险杠总成并喷漆', labourMinutes: 240, labourPrice: '11000', payer: 'INSURER' }, { description: '四轮定位', labourMinutes: 30, labourPrice: '300', payer: 'CUSTOMER' }] } });
    await server.gql(tokens.advisor, `mutation($in: SignRepairOrderInput!) { signRepairOrder(input: $in) { userErrors { code message } } }`, { in: { orderId: big.id, signedBy: '预约客户' } });
    await server.gql(tokens.advisor, `mutation($in: HandOverRepairOrderInput!) { handOverRepairOrder(input: $in) { userErrors { code message } } }`, { in: { orderId: big.id } });
    await workshop(big.id);
    assert.equal((await order(big.id)).state, 'READY');

    const { page: cp, seen: cseen } = await openPage('/cashier', tokens.cashier);
    await cp.waitForSelector('#conn[data-state="live"]', { timeout: 15000 });
    await cp.click(`#queue li[data-order="${big.id}"]`);
    const bill = `#settle [data-order="${big.id}"]`;
    await cp.waitForSelector(`${bill} [data-section="signoff"][data-signed-off="0"]`);
    assert.match(await cp.textContent('[data-section="signoff"]'), /需服务经理签字确认/);
    assert.ok(await cp.isDisabled('[data-action="settleRepairOrder"]'), 'settle is disabled until signed off');
    assert.match(await cp.textContent('[data-why="managerSignOff"]'), /不能结算/);
    assert.equal(await cp.$('[data-action="signOffBill"]'), null, 'a cashier cannot sign off');
    await cp.screenshot({ path: shotPath('cashier-signoff-1920x1080-zh.png') });
    // The server refuses it too.
    const errs = await settleRaw(tokens.cashier, { orderId: big.id, paymentMethod: 'WECHAT_PAY' });
    assert.deepEqual(errs.map((e) => e.field.at(-1)), ['managerSignOff']);
    assert.equal((await order(big.id)).state, 'READY');

    const { page: mp } = await openPage('/cashier', tokens.manager);
    await mp.waitForSelector('#conn[data-state="live"]', { timeout: 15000 });
    await mp.click(`#queue li[data-order="${big.id}"]`);
    await mp.click(`#settle [data-order="${big.id}"] [data-action="signOffBill"]`);
    await mp.waitForSelector('[data-section="signoff"][data-signed-off="1"]', { timeout: 5000 });
    await mp.close();

    await reopen(cp, big.id, `${bill} [data-section="signoff"][data-signed-off="1"]`);
    assert.ok(!(await cp.isDisabled('[data-action="settleRepairOrder"]')));
    const before = await order(big.id);
    await cp.fill('#settle [name="paymentReference"]', 'WX' + rnd(10, '0123456789'));
    await cp.click('#settle [data-action="settleRepairOrder"]');
    await cp.waitForSelector(`${bill}[data-state="SETTLED"]`, { timeout: 5000 });
    const o = await order(big.id);
    assert.equal(o.settlement.signedOffBy.name, '孙丽');
    assert.equal(o.settlement.balanceDue.amount, '0.00');
    const credited = Math.round(Number(o.settlement.depositCredited.amount) * 100);
    assert.equal(Math.round(Number(o.settlement.paid.amount) * 100), Math.round(Number(before.bill.customerShare.amount) * 100) - credited);
    const rec = o.settlement.receivables.find((r) => r.payer === 'INSURER');
    assert.equal(rec.balance.amount, '11000.00');
    await cp.waitForSelector(`[data-section="receivables"] tr[data-receivable="${rec.id}"]`);

    // The receivables tab: ageing and a part payment from the insurer.
    await cp.click('#tabs [data-tab="receivables"]');
    const row = `#receivables tr[data-receivable="${rec.id}"]`;
    await cp.waitForSelector(row, { timeout: 5000 });
    assert.match(await cp.textContent('#receivables .ageing tr[data-payer="INSURER"]'), /11,000\.00/);
    await cp.fill(`${row} [name="amount"]`, 'abc');
    await cp.click(`${row} [data-action="payReceivable"]`);
    await cp.waitForSelector(`${row} [name="amount"] + .field-error`);
    await cp.fill(`${row} [name="amount"]`, '6000');
    await cp.fill(`${row} [name="reference"]`, 'PA-REMIT-' + rnd(6, '0123456789'));
    await cp.screenshot({ path: shotPath('cashier-receivable-pay-1920x1080-zh.png') });
    await cp.click(`${row} [data-action="payReceivable"]`);
    await cp.waitForFunction((r) => document.querySelector(`${r} td:nth-child(8)`)?.textContent === '¥5,000.00', row, { timeout: 5000 });
    const after = (await order(big.id)).settlement.receivables.find((r) => r.id === rec.id);
    assert.equal(after.balance.amount, '5000.00');
    assert.deepEqual(cseen.errors, []);
    await cp.close();
  });

  test('cashier: an account customer (签单) has the bill put on their account, with the limit and what is used shown', async () => {
    const { repairOrders } = await server.gql(tokens.cashier, `query($s: ID!) { repairOrders(siteId: $s, states: [READY], first: 50) { edges { node { id visit { customer { id name } } bill { customerShare { amount } } } } } }`, { s: site.id });
    const ready = repairOrders.edges.map((e) => e.node).find((o) => Number(o.bill.customerShare.amount) > 0 && Number(o.bill.customerShare.amount) < 5000);
    assert.ok(ready, 'the demo has a ready car paid by its customer');
    await server.gql(tokens.manager, `mutation($in: SetCustomerAccountInput!) { setCustomerAccount(input: $in) { account { creditLimit { amount } } userErrors { code message } } }`,
      { in: { customerId: ready.visit.customer.id, creditLimit: '5000' } });

    const { page: cp, seen: cseen } = await openPage('/cashier', tokens.cashier);
    await cp.waitForSelector('#conn[data-state="live"]', { timeout: 15000 });
    await cp.click(`#queue li[data-order="${ready.id}"]`);
    const box = `#settle [data-order="${ready.id}"] [name="chargeToAccount"]`;
    await cp.waitForSelector(box);
    assert.match(await cp.textContent('#settle label.account'), /额度 ¥5,000\.00，已用 ¥0\.00，可用 ¥5,000\.00/);
    await cp.check(box);
    assert.ok(await cp.isDisabled('#settle [name="amountPaid"]'), 'nothing is paid at the counter on account');
    await cp.click('#settle [data-action="settleRepairOrder"]');
    await cp.waitForSelector(`#settle [data-order="${ready.id}"][data-state="SETTLED"]`, { timeout: 5000 });
    const o = await order(ready.id);
    assert.equal(o.settlement.balanceDue.amount, '0.00');
    const acc = o.settlement.receivables.find((r) => r.payer === 'ACCOUNT');
    const credited = Number(o.settlement.depositCredited.amount);
    assert.equal(Number(acc.balance.amount), Number(ready.bill.customerShare.amount) - credited);
    await cp.waitForSelector(`[data-section="receivables"] tr[data-receivable="${acc.id}"]`);
    assert.match(await cp.textContent(`[data-section="receivables"] tr[data-receivable="${acc.id}"]`), /签单客户/);
    assert.deepEqual(cseen.errors, []);
    await cp.close();
  });

  test('delivery: refused until every belonging is checked with the customer, then delivered', async () => {
    const desk = `.order-desk[data-order="${orderId}"]`;
    await page.waitForSelector(`${desk}[data-state="SETTLED"]`, { timeout: 5000 }).catch(() => page.click(`#orders-body tr[data-order="${orderId}"]`));
    await page.waitForSelector(`${desk}[data-state="SETTLED"] [data-action="deliverVehicle"]`, { timeout: 5000 });
    await page.click(`${desk} #belongings input[value="0"]`);
    await page.click(`${desk} [data-action="deliverVehicle"]`);
    await page.waitForSelector(`${desk} [data-section="deliver"] .form-error:not([hidden])`);
    assert.equal((await order(orderId)).state, 'SETTLED');
    await page.click(`${desk} #belongings input[value="1"]`);
    await page.click(`${desk} [data-action="deliverVehicle"]`);
    await page.waitForSelector(`.order-desk[data-order="${orderId}"][data-state="DELIVERED"]`, { timeout: 5000 });
    const o = await order(orderId);
    assert.equal(o.state, 'DELIVERED');
    assert.ok(o.visit.exitPass, 'an exit pass number was issued');
    const sheet = await printPage(page, `.order-desk [data-print="exitpass"]`);
    assert.ok((await sheet.textContent('#sheet')).includes(o.visit.exitPass));
    await sheet.close();
    assert.deepEqual(seen.errors, []);
  });

  test('a wrong or lapsed token is said full screen on every desk page', async () => {
    for (const path of ['/advisor', '/cashier', '/print']) {
      const { page: p } = await openPage(path, 'not-a-token');
      await p.waitForSelector('#fatal[data-kind="badToken"]', { timeout: 15000 });
      const box = await p.locator('#fatal').boundingBox();
      const vp = p.viewportSize();
      assert.ok(box.width >= vp.width && box.height >= vp.height, `${path}: the message covers the screen`);
      if (path === '/advisor') await p.screenshot({ path: shotPath('advisor-bad-token-1920x1080.png') });
      await p.close();
    }
  });

  test('screenshots: the desk at both sizes, the cashier and every print page, zh and en', async () => {
    const o = await order(orderId);
    for (const lang of ['zh', 'en']) {
      for (const [w, h] of [[1920, 1080], [1366, 768]]) {
        const { page: p, seen: s } = await openPage('/advisor', tokens.advisor, { width: w, height: h, lang });
        await p.waitForSelector('#conn[data-state="live"]', { timeout: 15000 });
        await p.waitForSelector('#orders-body tr');
        await p.screenshot({ path: shotPath(`advisor-${w}x${h}-${lang}.png`) });
        // The desk with an order in work open, and the reception form.
        const busy = await p.$('#orders-body tr.is-late') || await p.$('#orders-body tr');
        await busy.click();
        await p.waitForSelector('.order-desk');
        await p.screenshot({ path: shotPath(`advisor-order-${w}x${h}-${lang}.png`) });
        await p.click('#reception-open');
        await p.waitForSelector('#appointments li:not(.loading)');
        await p.screenshot({ path: shotPath(`advisor-reception-${w}x${h}-${lang}.png`) });
        assert.deepEqual(s.errors, []);
        await p.close();
      }
      for (const [w, h] of [[1920, 1080], [1366, 768]]) {
        const { page: cp, seen: cs } = await openPage('/cashier', tokens.cashier, { width: w, height: h, lang });
        await cp.waitForSelector('#conn[data-state="live"]', { timeout: 15000 });
        await cp.waitForSelector('#queue li[data-order], #done li[data-order]');
        const first = await cp.$('#queue li[data-order]') || await cp.$('#done li[data-order]');
        await first.click();
        await cp.waitForSelector('#settle .settle [data-action="settleRepairOrder"], #settle .settle[data-state="SETTLED"], #settle .settle[data-state="DELIVERED"]');
        await cp.screenshot({ path: shotPath(`cashier-${w}x${h}-${lang}.png`) });
        await cp.click('#tabs [data-tab="receivables"]');
        await cp.waitForSelector('#receivables .ageing');
        await cp.screenshot({ path: shotPath(`cashier-receivables-${w}x${h}-${lang}.png`) });
        assert.deepEqual(cs.errors, []);
        await cp.close();
      }
      for (const kind of ['order', 'checkin', 'settlement', 'exitpass']) {
        const p = await browser.ctx.newPage();
        await p.setViewportSize({ width: 1000, height: 1300 });
        await p.goto(`${server.base}/print?kind=${kind}&order=${o.id}&lang=${lang}&token=${tokens.advisor}`);
        await p.waitForSelector('body[data-ready="1"]', { timeout: 10000 });
        await p.screenshot({ path: shotPath(`print-${kind}-${lang}.png`), fullPage: true });
        await p.emulateMedia({ media: 'print' });
        const pdf = await p.pdf({ format: 'A4' });
        assert.ok(pdf.length > 1000, 'prints to A4');
        await p.close();
      }
    }
  });
});
