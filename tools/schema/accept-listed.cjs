// A graphql-inspector diff rule: the breaking changes listed in
// schema/breaking-ok are accepted (reported as dangerous, so the check
// passes and still shows them). A line of that file is the change's path as
// the failing check prints it after "to accept:", e.g. `Job.progress` or
// `ReportJobProgressInput.progress`, then optionally `  # why`. See docs/schema-changes.md.
const fs = require('node:fs');
const path = require('node:path');

const file = path.join(__dirname, '..', '..', 'schema', 'breaking-ok');

function accepted() {
  if (!fs.existsSync(file)) return new Map();
  const out = new Map();
  for (const raw of fs.readFileSync(file, 'utf8').split('\n')) {
    const [entry, ...why] = raw.split('#');
    const p = entry.trim();
    if (p) out.set(p, why.join('#').trim());
  }
  return out;
}

module.exports = ({ changes }) => {
  const ok = accepted();
  const used = new Set();
  const result = changes.map((change) => {
    if (change.criticality.level !== 'BREAKING') return change;
    if (!ok.has(change.path)) return { ...change, message: `${change.message} [to accept: ${change.path}]` };
    used.add(change.path);
    const why = ok.get(change.path);
    return {
      ...change,
      message: `${change.message} (accepted in schema/breaking-ok${why ? `: ${why}` : ''})`,
      criticality: { ...change.criticality, level: 'DANGEROUS' },
    };
  });
  for (const p of ok.keys()) {
    if (!used.has(p)) console.warn(`schema/breaking-ok: ${p} matches no breaking change; remove it`);
  }
  return result;
};
