// The GraphQL-over-HTTP audit suite of the npm graphql-http package (the
// reference implementation of the spec) against Bayboard's /query.
// `go test ./graph -run TestGraphqlHttpAudit` starts the server with
// introspection on and runs this with its URL in BAYBOARD_URL.
//
// Every MUST must pass. A failing SHOULD fails the run too, unless it is
// listed in EXPLAINED with the reason (the README's "Standards" section
// repeats it), so a regression cannot slip in quietly. The last line is the
// tally, e.g. "graphql-http audit: 60 passed, 0 failed".
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { serverAudits } from 'graphql-http';

const base = process.env.BAYBOARD_URL;
const skip = base ? false : 'needs the server: run `go test ./graph -run TestGraphqlHttpAudit`';

// SHOULDs we knowingly fail, by audit id, with why. Keep README.md in step.
const EXPLAINED = {};

const audits = serverAudits({ url: `${base}/query` });
const tally = { MUST: [0, 0], SHOULD: [0, 0], MAY: [0, 0] };
const failures = [];

for (const audit of audits) {
  test(`${audit.id} ${audit.name}`, { skip }, async (t) => {
    const level = audit.name.split(' ')[0];
    const result = await audit.fn();
    if (result.status === 'ok') {
      tally[level][0]++;
      return;
    }
    tally[level][1]++;
    const detail = `${result.reason}${result.response ? ` (status ${result.response.status})` : ''}`;
    failures.push(`${audit.id} ${audit.name}: ${detail}`);
    if (level === 'SHOULD' && EXPLAINED[audit.id]) {
      t.diagnostic(`known: ${EXPLAINED[audit.id]}`);
      return;
    }
    if (level === 'MAY') {
      t.diagnostic(`optional: ${detail}`);
      return;
    }
    assert.fail(detail);
  });
}

after(() => {
  if (skip) return;
  const pass = tally.MUST[0] + tally.SHOULD[0] + tally.MAY[0];
  const fail = tally.MUST[1] + tally.SHOULD[1] + tally.MAY[1];
  for (const f of failures) console.log(`not passed: ${f}`);
  console.log(
    `graphql-http audit: MUST ${tally.MUST[0]}/${tally.MUST[0] + tally.MUST[1]}, ` +
      `SHOULD ${tally.SHOULD[0]}/${tally.SHOULD[0] + tally.SHOULD[1]}, MAY ${tally.MAY[0]}/${tally.MAY[0] + tally.MAY[1]}`,
  );
  console.log(`graphql-http audit: ${pass} passed, ${fail} failed`);
});
