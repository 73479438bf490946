// The editor's analysis of a set across keystrokes (ParseCache(true)): files before the one being edited are taken
// whole from the last analysis, neither run nor replayed, yet every result must equal a fresh analysis, including
// results of those earlier files that depend on what the edited file does to the end of the set (the final schema,
// the project's conventions). test/incremental.test.ts does the same with random edits over the whole corpus.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { initParser } from '../parser/adapter';
import { allRules } from './registry';
import { defaultConfig } from './config';
import { orderMigrations } from './migrations';
import { analyzeSet, ParseCache, type SetResult } from './run';
import type { Rule, StatementContext } from './types';

type Files = Record<string, string>;

const shown = (r: SetResult) => r.findings.map((f) => `${path.basename(f.file)}:${f.start}-${f.end} ${f.rule}: ${f.message}`).sort();

/** Analyses each version of the set with one kept cache and afresh; they must agree. Returns the kept cache. */
function editSequence(versions: Files[], check: (round: number, incremental: SetResult, cache: ParseCache) => void = () => undefined): ParseCache {
  const cache = new ParseCache(true);
  versions.forEach((files, round) => {
    const input = { id: 'set', files: orderMigrations(Object.keys(files)).map((f) => ({ path: f.path, text: files[f.path], replayed: f.replayed })) };
    const opts = { config: defaultConfig(), rules: allRules };
    const incremental = analyzeSet(input, { ...opts, cache });
    assert.deepEqual(shown(incremental), shown(analyzeSet(input, opts)), `round ${round}: the incremental analysis differs from a fresh one`);
    check(round, incremental, cache);
  });
  return cache;
}

const skipped = (cache: ParseCache) => cache.memo('set')!.stats.skippedFiles;

describe('editor analysis of a set across keystrokes', () => {
  before(() => initParser());

  it('takes the files before the edited one whole, with the same findings as a fresh analysis', () => {
    const dir = path.resolve(__dirname, '../../examples/migrations');
    const base: Files = Object.fromEntries(fs.readdirSync(dir).filter((f) => f.endsWith('.sql')).map((f) => [`migrations/${f}`, fs.readFileSync(path.join(dir, f), 'utf8')]));
    const last = Object.keys(base).sort().pop()!;
    const earlier = Object.keys(base).length - 1;
    // Typing a statement that concerns no earlier table: the earlier files are taken whole at every keystroke after
    // the first (which made their results and the copy of the model before the edited file).
    const versions = Array.from({ length: 6 }, (_, i) => ({ ...base, [last]: base[last] + (i % 2 ? '\nCREATE TABLE scratch (id bigint PRIMARY KEY);\n' : '') }));
    const cache = editSequence(versions, (round, _r, c) => assert.equal(skipped(c), round === 0 ? 0 : earlier, `round ${round}`));
    assert.ok(cache.memo('set')!.stats.reused > 0);
    // Edits that change what earlier statements' results read (a new column, an index, a dropped table on an earlier
    // table): whether or not the earlier files are taken whole, the findings are a fresh analysis's.
    const typed = ['\nCREATE INDEX users_name_idx ON users (name);\n', '\nALTER TABLE users ADD COLUMN nickname text NOT NULL;\n', '\nDROP TABLE projects;\n', ''];
    let whole = 0;
    editSequence(Array.from({ length: 10 }, (_, i) => ({ ...base, [last]: base[last] + typed[i % typed.length] })), (_round, _r, c) => { whole += skipped(c) ? 1 : 0; });
    assert.ok(whole > 0, 'no analysis took the earlier files whole');
  });

  it('takes each unchanged file at once, summarised once, across keystrokes; an edit of an earlier file is followed', () => {
    const dir = path.resolve(__dirname, '../../examples/migrations');
    const base: Files = Object.fromEntries(fs.readdirSync(dir).filter((f) => f.endsWith('.sql')).map((f) => [`migrations/${f}`, fs.readFileSync(path.join(dir, f), 'utf8')]));
    const names = Object.keys(base).sort();
    const last = names[names.length - 1];
    const middle = names[Math.floor(names.length / 2)];
    const typing = (i: number) => base[last] + (i % 2 ? '\nCREATE TABLE scratch (id bigint PRIMARY KEY);\n' : '\nSELECT 1;\n');
    const changedMiddle = { ...base, [middle]: `${base[middle]}\nCREATE INDEX users_name_idx ON users (name);\n` };
    // Rounds 0-4 type in the newest file; round 5 edits a file in the middle; rounds 6-9 type in the newest again.
    const versions = Array.from({ length: 10 }, (_, i) => ({ ...(i >= 5 ? changedMiddle : base), [last]: i === 5 ? base[last] : typing(i) }));
    const summarized: number[] = [];
    const taken: number[] = [];
    let before = 0;
    editSequence(versions, (_round, _r, c) => {
      const stats = c.memo('set')!.stats;
      summarized.push(stats.summarized - before);
      before = stats.summarized;
      taken.push(stats.skippedFiles);
    });
    const earlier = names.length - 1;
    // The earlier files are summarised when first taken (round 1), then taken as they are.
    assert.deepEqual(taken.slice(0, 5), [0, earlier, earlier, earlier, earlier]);
    assert.deepEqual(summarized.slice(0, 5), [0, earlier, 0, 0, 0]);
    // The middle file changed: the files before it are taken, it and those after run. The next keystroke takes all the
    // earlier files again, summarising only those that ran.
    assert.equal(taken[5], names.indexOf(middle));
    assert.deepEqual(taken.slice(6), [earlier, earlier, earlier, earlier]);
    assert.equal(summarized[6], earlier - names.indexOf(middle));
    assert.deepEqual(summarized.slice(7), [0, 0, 0]);
  });

  it('an earlier finding that reads the end of the set follows an edit of a later file', () => {
    // prefer-timestamptz on the first file asks whether the column is still a timestamp at the end of the set.
    const files = (convert: boolean): Files => ({
      'migrations/20240101000000_events.sql': 'CREATE TABLE events (id bigint PRIMARY KEY, at timestamp);',
      'migrations/20240102000000_other.sql': 'CREATE TABLE other (id bigint PRIMARY KEY);',
      'migrations/20240103000000_fix.sql': convert ? "SET lock_timeout = '2s';\nALTER TABLE events ALTER COLUMN at TYPE timestamptz;" : "SET lock_timeout = '2s';\nSELECT 1;",
    });
    const versions = [false, false, true, false, true, true, false].map(files);
    let seen = 0;
    editSequence(versions, (round, r) => {
      const early = r.findings.filter((f) => f.rule === 'prefer-timestamptz' && f.file.endsWith('_events.sql'));
      assert.equal(early.length, versions[round]['migrations/20240103000000_fix.sql'].includes('timestamptz') ? 0 : 1, `round ${round}`);
      seen += early.length;
    });
    assert.ok(seen > 0);
  });

  it('a follow-up migration fix follows the set\'s files (popx: an .autocommit. file makes CONCURRENTLY possible)', () => {
    // Found by an adversarial run: the runner's autocommitFiles, which every file's own key left out.
    const base: Files = {
      'm/20200101000000000000_a.postgres.up.sql': 'CREATE TABLE t (id int PRIMARY KEY, a int);\n',
      'm/20200102000000000000_b.postgres.up.sql': 'CREATE INDEX t_a ON t (a);\n',
    };
    const more = { ...base, 'm/20200103000000000000_c.autocommit.up.sql': 'SELECT 1;\n' };
    editSequence([base, more, base, more], (round, r) => {
      const f = r.findings.find((x) => x.rule === 'require-concurrent-index');
      assert.ok(f, `round ${round}`);
      assert.equal(f.fixes.length, round % 2, `round ${round}: ${f.fixes.map((x) => x.title).join(', ')}`);
    });
  });

  it('lock_timeout is reported once per file, after a DO block\'s statements, however the analyses went', () => {
    // Found by an adversarial run: a statement run alone after its file was reused whole, twice.
    const files = (later: string): Files => ({
      'migrations/001_r1.sql': "DO $$ BEGIN EXECUTE 'ALTER TABLE ' || 'tenants' || ' ADD COLUMN z int'; END $$;\nALTER TABLE accounts ADD COLUMN tsmany5 timestamp;\n",
      'migrations/003_m3.sql': later,
    });
    const v0 = files('CREATE TABLE accounts (id serial PRIMARY KEY, a int NOT NULL, ts1 timestamp, c json);\n');
    editSequence([v0, v0, files(''), v0, files(''), files('')], (round, r) => {
      assert.equal(r.findings.filter((f) => f.rule === 'require-lock-timeout' && f.file.endsWith('001_r1.sql')).length, 1, `round ${round}`);
    });
  });

  it('an ignore comment before a section marker or a lone semicolon holds in the editor as in the CLI', () => {
    // Found by an adversarial run: the editor's parse, statement by statement, dropped the comments before the marker.
    for (const before of ['-- migrate:up', '-- +goose Up', '-- migrate:up transaction:false', ';']) {
      const files = { 'db/migrations/20240101000000_i.sql': `-- sql-architect-ignore require-concurrent-index: built at night\n${before}\nCREATE INDEX i ON t (a);\n` };
      editSequence([files, files], (round, r) => {
        assert.deepEqual(r.findings.filter((f) => f.rule === 'require-concurrent-index' || f.rule === 'unused-ignore').map((f) => f.rule), [], `${before}, round ${round}`);
      });
    }
  });

  it('an earlier finding that reads the project\'s conventions follows an edit of a later file', () => {
    // Five timestamp columns make "timestamp without time zone" the project's convention: prefer-timestamptz then
    // reports it once for the project, not on each column (the first file's column among them).
    const files = (naive: boolean): Files => ({
      'migrations/20240101000000_events.sql': 'CREATE TABLE events (id bigint PRIMARY KEY, at timestamp);',
      'migrations/20240102000000_other.sql': 'CREATE TABLE other (id bigint PRIMARY KEY);',
      'migrations/20240103000000_more.sql': `CREATE TABLE more (id bigint PRIMARY KEY, a ${naive ? 'timestamp' : 'timestamptz'}, b ${naive ? 'timestamp' : 'timestamptz'}, c ${naive ? 'timestamp' : 'timestamptz'}, d ${naive ? 'timestamp' : 'timestamptz'});`,
    });
    const versions = [false, false, true, true, false, true, false].map(files);
    editSequence(versions, (round, r) => {
      const onColumn = r.findings.filter((f) => f.rule === 'prefer-timestamptz' && f.file.endsWith('_events.sql') && f.messageId === 'timestamp');
      assert.equal(onColumn.length, versions[round]['migrations/20240103000000_more.sql'].includes('a timestamp,') ? 0 : 1, `round ${round}`);
    });
  });

  it('a statement\'s transaction follows a statement added after it in its file (one query, one implicit transaction)', () => {
    // Prisma sends migration.sql as one query: alone, CREATE INDEX CONCURRENTLY runs; with a second statement after
    // it, the two run in one implicit transaction and PostgreSQL rejects it. Its results cannot be taken whole from
    // the analysis before the second statement was typed, though nothing before it changed.
    const index = 'CREATE INDEX CONCURRENTLY "Run_tag_idx" ON "Run" ("tag");';
    const versions = [0, 1, 2, 3].map((i) => ({
      'prisma/migrations/20240101000000_init/migration.sql': 'CREATE TABLE "Run" (id text PRIMARY KEY, tag text);',
      'prisma/migrations/20240102000000_tag_index/migration.sql': i % 2 ? `${index}\nCREATE INDEX "Run_id_tag_idx" ON "Run" (id, tag);` : index,
    }));
    editSequence(versions, (round, r) => {
      assert.equal(r.findings.filter((f) => f.rule === 'no-concurrent-in-transaction').length, round % 2, `round ${round}`);
    });
  });

  it('a statement typed in the middle of a migration runs no rule again on the statements after it whose answers are the same', () => {
    // require-concurrent-index asks whether the index's table was created earlier in the migration: the name asked
    // and the answer join its key, so the indexes after the typed statement keep their results; they still follow an
    // edit that changes the answer (rounds 3 and 4: the table comes from an earlier migration, and waits).
    const table = 'CREATE TABLE t (id bigint PRIMARY KEY, a int, b int, c int, d int, e int, f int);';
    const indexes = ['a', 'b', 'c', 'd', 'e', 'f'].map((c) => `CREATE INDEX t_${c}_idx ON t (${c});`);
    const versions = ([['', true], ['SELECT 1;\n', true], ['', true], ['', false], ['SELECT 1;\n', false]] as const).map(([typed, here]) => ({
      'migrations/20240101000000_t.sql': here ? 'SELECT 1;' : table,
      'migrations/20240102000000_indexes.sql': `${here ? `${table}\n` : ''}${indexes.slice(0, 3).join('\n')}\n${typed}${indexes.slice(3).join('\n')}\n`,
    }));
    const ran: string[][] = [];
    const counted: Rule[] = allRules.map((r) => (r.id !== 'require-concurrent-index' ? r : {
      ...r,
      check(ctx: StatementContext) {
        ran[ran.length - 1].push(ctx.statement.text);
        return r.check!(ctx);
      },
    }));
    const cache = new ParseCache(true);
    versions.forEach((files, round) => {
      ran.push([]);
      const input = { id: 'set', files: orderMigrations(Object.keys(files)).map((f) => ({ path: f.path, text: files[f.path as keyof typeof files], replayed: f.replayed })) };
      const incremental = analyzeSet(input, { config: defaultConfig(), rules: counted, cache });
      assert.deepEqual(shown(incremental), shown(analyzeSet(input, { config: defaultConfig(), rules: allRules })), `round ${round}`);
      assert.equal(incremental.findings.filter((f) => f.rule === 'require-concurrent-index').length, round < 3 ? 0 : 6, `round ${round}`);
    });
    // Round 1 types a statement before three indexes: the rule runs on none of them (nor on those before it).
    assert.deepEqual(ran[1], []);
    // Round 3 moves the table to the earlier migration: every index's answer changed, and it runs on each.
    assert.equal(ran[3].length, 6);
  });
});
