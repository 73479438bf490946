// A scoped analysis (the CLI's --since and --changed-files: findings wanted in some files of a set only) runs the
// statement rules on those files only, and must report in them exactly what a whole analysis reports there. Checked
// on the bundled example and, when the corpus is there, on every set of it, each with several scopes; a counting
// wrapper around each statement rule shows that no rule ran on a statement of another file.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {
  allRules, analyzeSet, defaultConfig, initParser,
  type Finding, type Rule, type SetInput, type StatementContext,
} from '../rules/index';
import { CORPUS, migrationSetsUnder, ROOT, runCli, tempWorkspace } from './helpers';

/** Scopes worth trying on a set: its newest file (a pre-commit hook), its oldest, and every third file. */
function scopes(set: SetInput): Set<string>[] {
  const paths = set.files.map((f) => f.path);
  const out = [new Set([paths[paths.length - 1]]), new Set([paths[0]])];
  if (paths.length > 3) out.push(new Set(paths.filter((_, i) => i % 3 === 1)));
  return out;
}

/** Everything a finding shows, as plain data. */
const shown = (f: Finding) => JSON.stringify(f);

function compare(set: SetInput): number {
  const config = defaultConfig();
  const whole = analyzeSet(set, { config, rules: allRules });
  let compared = 0;
  for (const scope of scopes(set)) {
    const ran = new Set<string>();
    const counted: Rule[] = allRules.map((r) => (!r.check ? r : {
      ...r,
      check(ctx: StatementContext) {
        ran.add(ctx.statement.file);
        return r.check!(ctx);
      },
    }));
    const scoped = analyzeSet(set, { config, rules: counted, scope });
    const inScope = (list: readonly Finding[]) => list.filter((f) => scope.has(f.file)).map(shown);
    assert.deepEqual(inScope(scoped.findings), inScope(whole.findings), `${set.id}: scope ${[...scope].map((p) => path.basename(p)).join(', ')}`);
    assert.deepEqual(scoped.internalErrors, [], set.id);
    const outside = [...ran].filter((f) => !scope.has(f));
    assert.deepEqual(outside, [], `${set.id}: statement rules ran outside the scope`);
    compared += inScope(whole.findings).length;
  }
  return compared;
}

describe('scoped analysis (--since, --changed-files)', function () {
  this.timeout(600000);
  before(() => initParser());

  it('reports in the bundled example\'s files what a whole analysis reports there, running statement rules on those files only', () => {
    const [set] = migrationSetsUnder(path.join(ROOT, 'examples/migrations'));
    assert.ok(compare(set) > 0, 'the scopes hold findings');
  });

  it('does so on every migration set of the corpus', function () {
    if (!fs.existsSync(CORPUS)) {
      // The corpus is read from ../shared (never copied into the repository): a clone without it cannot run this.
      console.log(`      SKIPPED: no corpus at ${CORPUS}`);
      this.skip();
    }
    let findings = 0;
    const sets = migrationSetsUnder(CORPUS);
    for (const set of sets) findings += compare(set);
    assert.ok(sets.length > 20 && findings > 500, `${sets.length} sets, ${findings} findings in scope`);
  });

  it('--changed-files gives the findings a whole check gives in that file', () => {
    const dir = tempWorkspace({});
    fs.cpSync(path.join(ROOT, 'examples/migrations'), path.join(dir, 'db'), { recursive: true });
    type Out = { findings: { file: string }[] };
    const whole = runCli(['check', 'db', '--format', 'json', '--exit-zero'], dir);
    const all = (JSON.parse(whole.stdout) as Out).findings;
    // The first and the last file with findings, and a file without (nothing to report, no error).
    const files = fs.readdirSync(path.join(dir, 'db')).filter((f) => f.endsWith('.sql')).sort();
    const withFindings = files.filter((file) => all.some((f) => path.basename(f.file) === file));
    const without = files.filter((file) => !withFindings.includes(file));
    assert.ok(withFindings.length >= 2 && without.length >= 1, `${withFindings.length} files with findings, ${without.length} without`);
    for (const file of [withFindings[0], withFindings[withFindings.length - 1], without[0]]) {
      const one = runCli(['check', '--changed-files', `db/${file}`, '--format', 'json', '--exit-zero'], dir);
      assert.equal(one.status, 0, one.stderr);
      assert.deepEqual((JSON.parse(one.stdout) as Out).findings, all.filter((f) => path.basename(f.file) === file), file);
    }
  });
});
