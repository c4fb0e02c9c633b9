// End-to-end tests of the board feed with the npm graphql-ws client, the
// library front-end teams use. `go test ./graph -run TestWebsocketGraphqlWsClient`
// starts the server (real PostgreSQL, hub, websocket transport), seeds a
// site with a started job, and runs these with its URL and tokens in the
// environment. Each test checks what the screen received against the
// committed log: every event once, in order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';

const env = process.env;
const base = env.BAYBOARD_URL;
const skip = base ? false : 'needs the server: run `go test ./graph -run TestWebsocketGraphqlWsClient`';
const initTimeout = Number(env.BAYBOARD_INIT_TIMEOUT_MS || 0);

const FEED = `subscription ($site: ID!, $after: String) {
  boardFeed(siteId: $site, after: $after) { cursor reset kind summary }
}`;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function gql(token, query, variables) {
  const res = await fetch(`${base}/query`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = await res.json();
  if (body.errors) throw new Error(`GraphQL errors: ${JSON.stringify(body.errors)}`);
  return body.data;
}

// reportProgress changes the job through the API, as a technician's tablet
// does, and returns the summary of the event it causes.
let progress = 0;
async function reportProgress() {
  progress = (progress % 100) + 1;
  const d = await gql(
    env.BAYBOARD_TECH_TOKEN,
    `mutation ($job: ID!, $p: Int!) {
      reportJobProgress(input: { jobId: $job, progress: $p }) { userErrors { code message } }
    }`,
    { job: env.BAYBOARD_JOB_ID, p: progress },
  );
  assert.deepEqual(d.reportJobProgress.userErrors, []);
  return `Progress ${progress}%`;
}

// snapshotCursor is where a screen that just loaded the board follows on from.
async function snapshotCursor() {
  const d = await gql(env.BAYBOARD_BOARD_TOKEN, 'query ($site: ID!) { board(siteId: $site) { cursor } }', {
    site: env.BAYBOARD_SITE_ID,
  });
  return d.board.cursor;
}

// committedLog is the site's event log after cursor, read from the database.
async function committedLog(after) {
  const res = await fetch(`${base}/_test/log?after=${after}`);
  assert.equal(res.status, 200);
  return res.json();
}

// board is a wall-board screen: a graphql-ws client that records every close
// code it sees and retries quickly (the default waits seconds).
function board(options = {}) {
  const closes = [];
  let connects = 0;
  const client = createClient({
    url: `${base.replace(/^http/, 'ws')}/query`,
    webSocketImpl: WebSocket,
    connectionParams: { Authorization: `Bearer ${env.BAYBOARD_BOARD_TOKEN}` },
    retryAttempts: 5,
    retryWait: () => sleep(100),
    on: {
      connected: () => connects++,
      closed: (event) => closes.push(event.code),
    },
    ...options,
  });
  return {
    client,
    closes,
    get connects() {
      return connects;
    },
  };
}

// follow subscribes to the board feed after cursor the way screens should:
// it keeps the variables object and moves `after` on with every update, so
// that when graphql-ws retries it resubscribes from where the screen stopped.
function follow(client, after) {
  const variables = { site: env.BAYBOARD_SITE_ID, after };
  const feed = { updates: [], variables, error: undefined, completed: false };
  feed.dispose = client.subscribe(
    { query: FEED, variables },
    {
      next: ({ data, errors }) => {
        if (errors) {
          feed.error = errors;
          return;
        }
        feed.updates.push(data.boardFeed);
        if (!data.boardFeed.reset) variables.after = data.boardFeed.cursor;
      },
      error: (err) => {
        feed.error = err;
      },
      complete: () => {
        feed.completed = true;
      },
    },
  );
  feed.until = async (what, pred, ms = 15000) => {
    for (const end = Date.now() + ms; !pred(); await sleep(10)) {
      if (feed.error) assert.fail(`feed failed waiting for ${what}: ${JSON.stringify(feed.error)}`);
      if (Date.now() > end) assert.fail(`timed out waiting for ${what}; got ${JSON.stringify(feed.updates)}`);
    }
  };
  feed.received = (summary) => feed.until(summary, () => feed.updates.some((u) => u.summary === summary));
  return feed;
}

const history = (updates) => updates.map((u) => [u.cursor, u.kind]);
const logHistory = (log) => log.map((e) => [e.cursor, e.kind]);

test('receives a change, then after a disconnect exactly the missed changes in order, then live ones', { skip, timeout: 60000 }, async () => {
  const c0 = await snapshotCursor();
  const first = board();
  const feed1 = follow(first.client, c0);
  const s1 = await reportProgress();
  await feed1.received(s1);
  assert.deepEqual(feed1.updates.map((u) => u.summary), [s1]);
  const c1 = feed1.variables.after;
  feed1.dispose();
  await first.client.dispose();

  const missed = [await reportProgress(), await reportProgress(), await reportProgress()];
  const second = board();
  const feed2 = follow(second.client, c1);
  await feed2.until('the missed changes', () => feed2.updates.length >= missed.length);
  assert.deepEqual(feed2.updates.map((u) => u.summary), missed);
  const live = await reportProgress();
  await feed2.received(live);
  await second.client.dispose();

  const seen = [...feed1.updates, ...feed2.updates];
  assert.deepEqual(history(seen), logHistory(await committedLog(c0)));
  assert.ok(seen.every((u) => !u.reset && u.kind === 'JOB_PROGRESS'));
});

test('retries after the server goes away (1001) and resumes where it stopped', { skip, timeout: 60000 }, async () => {
  const c0 = await snapshotCursor();
  const screen = board();
  const feed = follow(screen.client, c0);
  const s1 = await reportProgress();
  await feed.received(s1);

  const res = await fetch(`${base}/_test/restart`, { method: 'POST' });
  assert.equal(res.status, 204);
  const s2 = await reportProgress(); // committed while the screen reconnects
  await feed.received(s2);
  const s3 = await reportProgress();
  await feed.received(s3);
  await screen.client.dispose();

  assert.deepEqual(screen.closes.slice(0, 1), [1001]);
  assert.equal(screen.connects, 2);
  assert.equal(feed.completed, false);
  assert.deepEqual(history(feed.updates), logHistory(await committedLog(c0)));
});

test('retries after a refused token (4403) with fresh connection params', { skip, timeout: 60000 }, async () => {
  const c0 = await snapshotCursor();
  let calls = 0;
  const screen = board({
    connectionParams: () => {
      calls++;
      const token = calls === 1 ? 'not-a-valid-token-0123456789' : env.BAYBOARD_BOARD_TOKEN;
      return { Authorization: `Bearer ${token}` };
    },
  });
  const feed = follow(screen.client, c0);
  const s = await reportProgress();
  await feed.received(s);
  await screen.client.dispose();

  assert.deepEqual(screen.closes.slice(0, 1), [4403]);
  assert.equal(calls, 2);
  assert.deepEqual(history(feed.updates), logHistory(await committedLog(c0)));
});

test('retries after a connection_init too late (4408)', { skip: skip || (!initTimeout && 'no init timeout given'), timeout: 60000 }, async () => {
  const c0 = await snapshotCursor();
  let calls = 0;
  const screen = board({
    connectionParams: async () => {
      if (++calls === 1) await sleep(initTimeout + 500);
      return { Authorization: `Bearer ${env.BAYBOARD_BOARD_TOKEN}` };
    },
  });
  const feed = follow(screen.client, c0);
  const s = await reportProgress();
  await feed.received(s);
  await screen.client.dispose();

  assert.deepEqual(screen.closes.slice(0, 1), [4408]);
  assert.deepEqual(history(feed.updates), logHistory(await committedLog(c0)));
});
