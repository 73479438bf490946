// The schema model's clone and the editor's replay from a snapshot (set-files.ts): a clone must never share what
// `apply` changes in place, and a set replayed from a snapshot must end in the same schema as one replayed whole.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { initParser } from '../parser/adapter';
import { SchemaModel } from '../model/schema';
import { orderMigrations } from './migrations';
import { ParseCache } from './run';
import { parsedSetFile, replayedStatements, replayFiles, ReplaySnapshots, type ParsedSetFile } from './set-files';
import { embeddedStatements, lazyLines, modelActions } from './embedded';

/** The whole model as text: maps and sets in their order, every field. */
function dump(m: SchemaModel): string {
  return JSON.stringify(m, (_k, v: unknown) => (v instanceof Map ? [...v.entries()] : v instanceof Set ? [...v] : v));
}

const BEFORE = `
CREATE SCHEMA app;
CREATE ROLE app_user LOGIN;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT ALL ON TABLES TO app_user;
GRANT USAGE ON SCHEMA app TO app_user;
CREATE TABLE tenants (id uuid PRIMARY KEY, name text NOT NULL);
CREATE TABLE orders (id bigint PRIMARY KEY, tenant_id uuid NOT NULL REFERENCES tenants (id), note text, total numeric CHECK (total >= 0));
CREATE INDEX orders_tenant_idx ON orders (tenant_id);
CREATE VIEW order_totals AS SELECT tenant_id, sum(total) FROM orders GROUP BY tenant_id;
CREATE MATERIALIZED VIEW tenant_names AS SELECT id, name FROM tenants;
ALTER TABLE orders ENABLE ROW LEVEL SECURITY;
CREATE POLICY orders_tenant ON orders USING (tenant_id = current_setting('app.tenant')::uuid);
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
GRANT SELECT ON orders TO PUBLIC;
COMMENT ON COLUMN orders.note IS 'free text';
ALTER TABLE orders ADD CONSTRAINT orders_note_len CHECK (length(note) < 100) NOT VALID;
`;

// Every kind of change apply makes in place, to what the clone was taken from.
const AFTER = `
ALTER TABLE orders RENAME COLUMN note TO remark;
ALTER TABLE orders ALTER COLUMN remark SET NOT NULL;
ALTER TABLE orders ALTER COLUMN remark SET DEFAULT '';
ALTER TABLE orders ALTER COLUMN total TYPE numeric(12,2);
ALTER TABLE orders VALIDATE CONSTRAINT orders_note_len;
ALTER TABLE orders RENAME CONSTRAINT orders_note_len TO orders_remark_len;
ALTER INDEX orders_tenant_idx RENAME TO orders_by_tenant;
ALTER POLICY orders_tenant ON orders USING (tenant_id = current_setting('app.other')::uuid);
ALTER TABLE orders FORCE ROW LEVEL SECURITY;
ALTER TABLE tenants RENAME TO accounts;
ALTER TABLE orders OWNER TO app_user;
GRANT INSERT ON orders TO app_user;
REVOKE ALL ON orders FROM PUBLIC;
ALTER ROLE app_user BYPASSRLS;
REVOKE USAGE ON SCHEMA app FROM app_user;
ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE ALL ON TABLES FROM app_user;
ALTER FUNCTION touch() SECURITY DEFINER;
COMMENT ON COLUMN orders.remark IS 'changed';
CREATE UNIQUE INDEX tenant_names_id ON tenant_names (id);
ALTER TABLE orders SET UNLOGGED;
ALTER TABLE orders SET SCHEMA app;
CREATE EXTENSION pgcrypto;
SET search_path = app, public;
DROP TABLE accounts;
`;

function file(p: string, text: string, cache = new ParseCache()): ParsedSetFile {
  return parsedSetFile({ path: p, text }, cache);
}

describe('schema model clone and replay snapshots', () => {
  before(() => initParser());

  it('a clone shares nothing apply changes: replaying more into it leaves the original as it was', () => {
    const original = replayFiles(new SchemaModel(), [file('a.sql', BEFORE)]);
    const before = dump(original);
    const copy = original.clone();
    assert.equal(dump(copy), before);
    replayFiles(copy, [file('b.sql', AFTER)]);
    assert.equal(dump(original), before, 'the original changed when its clone was replayed further');
    // And the clone ends where a straight replay ends.
    assert.equal(dump(copy), dump(replayFiles(new SchemaModel(), [file('a.sql', BEFORE), file('b.sql', AFTER)])));
    assert.notEqual(dump(copy), before, 'the second file changed nothing: the test would prove nothing');
  });

  it('the model a clone was taken from can be replayed further too: the clone stays as it was (tables are shared until written)', () => {
    const original = replayFiles(new SchemaModel(), [file('a.sql', BEFORE)]);
    const copy = original.clone();
    const before = dump(copy);
    // A table named twice in one GRANT, and a foreign key into a renamed table, change tables the clone still shares.
    replayFiles(original, [file('b.sql', `GRANT SELECT ON orders, orders TO app_user;\n${AFTER}`)]);
    assert.equal(dump(copy), before, 'the clone changed when the model it was taken from was replayed further');
    assert.equal(dump(original), dump(replayFiles(new SchemaModel(), [file('a.sql', BEFORE), file('b.sql', `GRANT SELECT ON orders, orders TO app_user;\n${AFTER}`)])));
    const grants = original.table({ schema: 'app', name: 'orders' })!.grants.filter((g) => g.privileges.includes('select'));
    assert.equal(grants.length, 2, 'each grant of the table named twice is kept');
  });

  it('replays an edited set from the snapshot before the edited file, to the same schema as a whole replay', () => {
    const dir = path.resolve(__dirname, '../../examples/migrations');
    const paths = orderMigrations(fs.readdirSync(dir).filter((f) => f.endsWith('.sql')).map((f) => path.join(dir, f))).map((f) => f.path);
    const texts = paths.map((p) => fs.readFileSync(p, 'utf8'));
    const cache = new ParseCache(true);
    const snapshots = new ReplaySnapshots();
    const set = (edit: (i: number, t: string) => string) => paths.map((p, i) => parsedSetFile({ path: p, text: edit(i, texts[i]) }, cache));
    const whole = (files: ParsedSetFile[]) => dump(replayFiles(new SchemaModel(), files));
    const edited = 3;
    const edits = ['', '\nALTER TABLE users ADD COLUMN nickname text;\n', '\nALTER TABLE users DROP COLUMN nickname;\n', '\nCREATE TABLE scratch (id int);\n'];
    for (let round = 0; round < 8; round++) {
      const files = set((i, t) => (i === edited ? t + edits[round % edits.length] : t));
      assert.equal(dump(snapshots.replay([], files, () => new SchemaModel())), whole(files), `round ${round}`);
      // From the third analysis on, only the edited file and those after it are replayed.
      if (round >= 2) assert.equal(snapshots.replayedFiles, paths.length - edited, `round ${round}: replayed ${snapshots.replayedFiles} files`);
    }
    // An edit before the snapshot: the whole set again, and still the same schema.
    const earlier = set((i, t) => (i === 1 ? `${t}\nCREATE INDEX ON projects (name);\n` : t));
    assert.equal(dump(snapshots.replay([], earlier, () => new SchemaModel())), whole(earlier));
    assert.equal(snapshots.replayedFiles, paths.length);
    // Another start (a baseline) invalidates the snapshot.
    const again = set((_i, t) => t);
    assert.equal(dump(snapshots.replay(['baseline'], again, () => new SchemaModel())), whole(again));
    assert.equal(snapshots.replayedFiles, paths.length);
  });

  it('pass 2 takes pass 1\'s finished tables as it goes (or takes them whole at a CREATE TABLE), and every statement still sees the schema as it stood', () => {
    // A DO block's statements, a rename of a table other tables point at, and a table changed long after it was
    // created are in it too.
    const files = [file('a.sql', BEFORE), file('b.sql', `DO $$ BEGIN CREATE TABLE inner_t (id int); END $$;\nCREATE TABLE keyed (id int PRIMARY KEY, code text UNIQUE);\nCREATE TABLE late (id int, o bigint);\n${AFTER}\nALTER TABLE public.late ADD COLUMN note text;\nCREATE INDEX late_o ON public.late (o);\n`)];
    const final = replayFiles(new SchemaModel(), files);
    const finalDump = dump(final);
    const pass2 = new SchemaModel().keepChanges();
    const straight = new SchemaModel();
    let adopted = 0;
    let taken = 0;
    for (const f of files) {
      for (const stmt of replayedStatements(f).flatMap((x) => [x, ...embeddedStatements(x, f.ctx.text, lazyLines(f.ctx.text))])) {
        const origin = { file: f.ctx.path, span: stmt.span };
        const actions = modelActions(stmt);
        for (const a of actions) straight.apply(a, origin);
        // As the engine's pass 2 does (statement-pass.ts).
        if (actions.length === 1 && pass2.takeCreated(actions[0], origin, final)) taken++;
        else {
          for (const a of actions) pass2.apply(a, origin);
          pass2.adoptFinal(final, origin);
        }
        adopted = [...pass2.tables].filter(([k, t]) => final.tables.get(k) === t).length;
        assert.equal(dump(pass2), dump(straight), `after line ${stmt.line + 1} of ${f.ctx.path}: not the schema as it stood`);
      }
    }
    // Every table ends as pass 1's own object (one copy of each), and pass 2's writes never reached pass 1's tables.
    assert.equal(adopted, final.tables.size);
    assert.ok(adopted >= 3, `only ${adopted} tables: the test would prove little`);
    // inner_t (in the DO block) was never changed after its CREATE TABLE: taken as it stood, not built again.
    assert.ok(taken >= 1, 'no CREATE TABLE was taken whole');
    assert.equal(dump(final), finalDump);
    // A table both models now hold is copied before either changes it.
    const late = final.table({ name: 'late' })!;
    assert.equal(pass2.table({ name: 'late' }), late);
    const add = modelActions(file('c.sql', 'ALTER TABLE late ADD COLUMN extra int;').parsed.statements[0])[0];
    pass2.apply(add, { file: 'c.sql', span: { start: 0, end: 0 } });
    assert.equal(late.columns.has('extra'), false, 'pass 2 changed pass 1\'s table in place');
    final.apply(add, { file: 'c.sql', span: { start: 0, end: 0 } });
    assert.equal(final.table({ name: 'late' })!.columns.has('extra'), true);
    assert.notEqual(final.table({ name: 'late' }), late, 'pass 1 changed a table pass 2 holds in place');
  });
});
