// The board feed over the legacy subscriptions-transport-ws protocol (the
// "graphql-ws" subprotocol), with that project's own npm client, as older
// Apollo Client set-ups still use. `go test ./graph -run
// TestWebsocketGraphqlWsClient` starts the server and runs this with
// board-feed.test.js: connect with the token in connectionParams,
// subscribe, receive an update, complete (unsubscribe), close.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SubscriptionClient } from 'subscriptions-transport-ws';
import WebSocket from 'ws';

const env = process.env;
const base = env.BAYBOARD_URL;
const skip = base ? false : 'needs the server: run `go test ./graph -run TestWebsocketGraphqlWsClient`';

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

test('subscribes to the board feed over subscriptions-transport-ws, receives an update, completes', { skip, timeout: 30000 }, async () => {
  const { board } = await gql(env.BAYBOARD_BOARD_TOKEN, 'query ($site: ID!) { board(siteId: $site) { cursor } }', {
    site: env.BAYBOARD_SITE_ID,
  });

  let connected = false;
  const client = new SubscriptionClient(
    `${base.replace(/^http/, 'ws')}/query`,
    {
      connectionParams: { Authorization: `Bearer ${env.BAYBOARD_BOARD_TOKEN}` },
      reconnect: false,
      lazy: false,
      connectionCallback: (err) => {
        if (!err) connected = true;
      },
    },
    WebSocket,
  );
  try {
    const updates = [];
    let error;
    let completed = false;
    const sub = client
      .request({
        query: `subscription ($site: ID!, $after: String) {
          boardFeed(siteId: $site, after: $after) { cursor reset kind summary }
        }`,
        variables: { site: env.BAYBOARD_SITE_ID, after: board.cursor },
      })
      .subscribe({
        next: (r) => (r.errors ? (error = r.errors) : updates.push(r.data.boardFeed)),
        error: (e) => (error = e),
        complete: () => (completed = true),
      });
    const waitFor = async (what, pred) => {
      for (const end = Date.now() + 15000; !pred(); await sleep(10)) {
        if (error) assert.fail(`feed failed waiting for ${what}: ${JSON.stringify(error)}`);
        if (Date.now() > end) assert.fail(`timed out waiting for ${what}; got ${JSON.stringify(updates)}`);
      }
    };
    await waitFor('connection_ack', () => connected);

    // A progress value the job cannot have yet, so the change is real.
    const progress = 40 + Math.floor(Math.random() * 50);
    const d = await gql(
      env.BAYBOARD_TECH_TOKEN,
      `mutation ($job: ID!, $p: Int!) {
        reportJobProgress(input: { jobId: $job, progress: $p }) { userErrors { code message } }
      }`,
      { job: env.BAYBOARD_JOB_ID, p: progress },
    );
    assert.deepEqual(d.reportJobProgress.userErrors, []);
    await waitFor('the update', () => updates.some((u) => u.summary === `Progress ${progress}%`));
    const u = updates.find((x) => x.summary === `Progress ${progress}%`);
    assert.equal(u.kind, 'JOB_PROGRESS');
    assert.equal(u.reset, false);
    assert.ok(BigInt(u.cursor) > BigInt(board.cursor));

    // Unsubscribing sends "stop"; the server ends the operation and says
    // so with "complete" (the client has dropped its handler by then, so
    // the raw socket is watched).
    const frames = [];
    client.client.addEventListener('message', (m) => frames.push(JSON.parse(m.data)));
    sub.unsubscribe();
    await waitFor('complete', () => frames.some((f) => f.type === 'complete'));
    assert.equal(error, undefined);
    assert.equal(completed, false);
  } finally {
    client.close();
  }
});
