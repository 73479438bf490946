/** The statements of /work/shared/docs/locks-measured.md and the fixture they ran on. */
import type { TraceEntry } from '../../pg';

export const DOC = '/work/shared/docs/locks-measured.md';

export interface Measured {
  sql: string;
  /** relation → strongest mode with the `Lock` suffix, as pg_locks names it. */
  locks: Map<string, string>;
  rewrites: string[];
}

/** Rows of the markdown table: | `statement` | t: AccessExclusive, parent: Share | t, t_pkey | */
export function parseMeasured(markdown: string): Measured[] {
  const out: Measured[] = [];
  for (const line of markdown.split('\n')) {
    const m = /^\|\s*`([^`]+)`\s*\|([^|]*)\|([^|]*)\|\s*$/.exec(line);
    if (!m) continue;
    const locks = new Map<string, string>();
    for (const part of m[2].split(',')) {
      const lm = /^\s*([\w.]+)\s*:\s*(\w+)\s*$/.exec(part);
      if (lm) locks.set(lm[1], `${lm[2]}Lock`);
    }
    const rewrites = m[3].trim() === '—' ? [] : m[3].split(',').map((s) => s.trim()).filter(Boolean);
    out.push({ sql: m[1], locks, rewrites });
  }
  return out;
}

/**
 * The fixture of the document's header, rebuilt from scratch in one multi-statement text. Objects that
 * would change other statements' results exist only when the statement names them: a unique index on t
 * would be rewritten too, and a view on t.n would forbid ALTER COLUMN n TYPE.
 */
export function fixtureFor(sql: string): string {
  const parts = [
    'DROP SCHEMA IF EXISTS public CASCADE',
    'CREATE SCHEMA public',
    'CREATE TABLE parent (id bigint PRIMARY KEY, name text)',
    "INSERT INTO parent SELECT g, 'p' || g FROM generate_series(1, 10) g",
    `CREATE TABLE t (id bigint PRIMARY KEY, n int, name varchar(50), body text, created_at timestamp,
       parent_id bigint, tenant_id uuid)`,
    `INSERT INTO t SELECT g, g, 'name' || g, repeat('x', 20), TIMESTAMP '2024-01-01' + g * interval '1 hour',
       g % 10 + 1, gen_random_uuid() FROM generate_series(1, 100) g`,
    'CREATE INDEX t_name_idx ON t (name)',
    'ALTER TABLE t ADD CONSTRAINT t_n_check_nv CHECK (n >= 0) NOT VALID',
    'ALTER TABLE t ADD CONSTRAINT t_parent_fk_nv FOREIGN KEY (parent_id) REFERENCES parent (id) NOT VALID',
  ];
  const uses = (re: RegExp): boolean => re.test(sql);
  if (uses(/\bt_id_name_uidx\b/)) parts.push('CREATE UNIQUE INDEX t_id_name_uidx ON t (id, name)');
  if (uses(/\bnopk\b/)) {
    parts.push('CREATE TABLE nopk (id bigint, v text)', "INSERT INTO nopk SELECT g, 'v' FROM generate_series(1, 10) g");
    if (uses(/\bnopk_id_uidx\b/)) parts.push('CREATE UNIQUE INDEX nopk_id_uidx ON nopk (id)');
  }
  if (uses(/\bevents\b/)) {
    parts.push(
      'CREATE TABLE events (id bigint, created_at date NOT NULL) PARTITION BY RANGE (created_at)',
      "CREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')",
      'CREATE TABLE events_2025 (id bigint, created_at date NOT NULL)',
      "INSERT INTO events VALUES (1, '2024-06-01')",
      "INSERT INTO events_2025 VALUES (2, '2025-06-01')",
    );
  }
  if (uses(/\bmv\b/)) parts.push('CREATE MATERIALIZED VIEW mv AS SELECT id, n FROM t');
  if (uses(/\bmood\b/)) parts.push("CREATE TYPE mood AS ENUM ('a', 'b')");
  if (uses(/\btrg\(\)/)) parts.push('CREATE FUNCTION trg() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$');
  if (uses(/\bp0\b/)) parts.push('CREATE POLICY p0 ON t USING (tenant_id IS NOT NULL)');
  return parts.join(';\n');
}

/**
 * Strongest lock per table or matview. The document read names from pg_class before COMMIT, so it has no
 * dropped relations and names renamed ones by their new name; `asBefore` keeps dropped ones and uses the
 * names from before the statement instead.
 */
export function tableLocks(e: TraceEntry, asBefore = false): Map<string, string> {
  return new Map(e.locks
    .filter((l) => (l.kind === 'table' || l.kind === 'matview') && (asBefore || !l.dropped))
    .map((l) => [asBefore ? l.renamedFrom ?? l.relation : l.relation, l.mode]));
}

export const show = (m: Map<string, string>): string => [...m].map(([k, v]) => `${k}: ${v}`).sort().join(', ') || '(none)';
