// Which tool runs the migrations of a set, and so which statements of a file share one transaction and hold
// their locks until it ends. Facts per tool, with sources: ../shared/docs/runners.md (kept in docs/runners.md).
// Where the file cannot tell (which Prisma engine), the stricter whole-file transaction is assumed; `runner` in
// .sqlarchitect.json settles it.
import type { ResolvedConfig, RunnerId } from '../engine/config';
import type { Evidence, FileTxMode, Runner } from './types';

export interface RunnerFile {
  path: string;
  text: string;
}

interface RunnerDef {
  label: string;
  /** How a file runs by default, and the file-level opt-outs. */
  mode(f: RunnerFile): { mode: FileTxMode; why: string };
  splitsNonTransactional?: boolean;
}

const GOOSE_NO_TX = /^\s*--\s*\+goose\s+NO\s+TRANSACTION\b/im;
const DBMATE_NO_TX = /^\s*--\s*migrate:up\b[^\n]*\btransaction:false\b/im;
const ATLAS_NO_TX = /^\s*--\s*atlas:txmode\s+none\b/im;
const PG_MIGRATIONS_NO_TX = /^\s*--\s*postgres-migrations\s+disable-transaction\b/im;
const GRAPHILE_NO_TX = /^\s*--!\s*no-transaction\b/im;
const SQLX_NO_TX = /^-- no-transaction/;

const RUNNERS: Record<RunnerId, RunnerDef> = {
  prisma: {
    label: 'Prisma Migrate (engines before early 2026: the whole migration.sql as one query)',
    mode: () => ({ mode: 'implicit', why: 'Prisma sends migration.sql as one multi-statement query, which PostgreSQL runs as one implicit transaction' }),
  },
  'prisma-per-statement': {
    label: 'Prisma Migrate (engines that send each statement alone)',
    mode: () => ({ mode: 'none', why: 'this Prisma engine sends each statement of migration.sql on its own' }),
  },
  goose: {
    label: 'goose',
    mode: (f) => (GOOSE_NO_TX.test(f.text)
      ? { mode: 'none', why: '-- +goose NO TRANSACTION' }
      : { mode: 'tool', why: 'goose runs each migration in a transaction' }),
  },
  dbmate: {
    label: 'dbmate',
    mode: (f) => (DBMATE_NO_TX.test(f.text)
      ? { mode: 'implicit', why: 'migrate:up transaction:false (dbmate still sends the block as one query)' }
      : { mode: 'tool', why: 'dbmate runs each migration in a transaction' }),
  },
  'golang-migrate': {
    label: 'golang-migrate',
    mode: () => ({ mode: 'implicit', why: 'golang-migrate sends the whole file as one query: one implicit transaction' }),
  },
  flyway: {
    label: 'Flyway',
    mode: () => ({ mode: 'tool', why: 'Flyway runs each migration in a transaction unless it holds a statement that cannot run in one' }),
    splitsNonTransactional: true,
  },
  supabase: {
    label: 'Supabase CLI',
    mode: () => ({ mode: 'tool', why: 'the Supabase CLI applies each migration file as one batch (one transaction)' }),
    splitsNonTransactional: true,
  },
  'graphile-migrate': {
    label: 'graphile-migrate',
    mode: (f) => (GRAPHILE_NO_TX.test(f.text)
      ? { mode: 'implicit', why: '--! no-transaction (the body is still sent as one query)' }
      : { mode: 'tool', why: 'graphile-migrate runs each migration in a transaction' }),
  },
  atlas: {
    label: 'Atlas',
    mode: (f) => (ATLAS_NO_TX.test(f.text)
      ? { mode: 'none', why: '-- atlas:txmode none' }
      : { mode: 'tool', why: 'Atlas runs each file in a transaction (--tx-mode file)' }),
  },
  popx: {
    label: 'pop / ory/popx',
    mode: (f) => (/\.autocommit\.(up\.|down\.)?sql$/i.test(f.path)
      ? { mode: 'implicit', why: '.autocommit file (popx still sends it as one query)' }
      : { mode: 'tool', why: 'pop and popx run each migration in a transaction' }),
  },
  'postgres-migrations': {
    label: 'postgres-migrations',
    mode: (f) => (PG_MIGRATIONS_NO_TX.test(f.text)
      ? { mode: 'implicit', why: '-- postgres-migrations disable-transaction (the file is still sent as one query)' }
      : { mode: 'tool', why: 'postgres-migrations runs each file in a transaction' }),
  },
  sqlx: {
    label: 'sqlx',
    mode: (f) => (SQLX_NO_TX.test(f.text)
      ? { mode: 'implicit', why: '-- no-transaction (sqlx still sends the file as one query)' }
      : { mode: 'tool', why: 'sqlx runs each migration in a transaction' }),
  },
  drizzle: {
    label: 'Drizzle Kit',
    mode: () => ({ mode: 'tool', why: 'drizzle-kit migrate runs every pending file in one transaction' }),
  },
  sqitch: {
    label: 'Sqitch',
    mode: () => ({ mode: 'none', why: 'Sqitch runs scripts with psql, statement by statement (the BEGIN of its template opens a transaction)' }),
  },
  dump: {
    label: 'a schema dump (pg_dump / Rails structure.sql), loaded into an empty database',
    mode: () => ({ mode: 'none', why: 'a dump is loaded with psql statement by statement' }),
  },
  psql: {
    label: 'psql -f (no tool: each statement commits on its own)',
    mode: () => ({ mode: 'none', why: 'no migration tool recognised: statements run one by one, as psql -f runs them' }),
  },
};

function detect(files: readonly RunnerFile[], markers: readonly string[]): { id: RunnerId; evidence: Evidence } {
  const has = (re: RegExp) => files.find((f) => re.test(f.text));
  const path = (re: RegExp) => files.find((f) => re.test(f.path));
  const marker = (re: RegExp) => markers.find((m) => re.test(m));
  let f: RunnerFile | undefined;
  let m: string | undefined;
  if ((f = path(/(^|\/)\d{8,}_[^/]+\/migration\.sql$/)) || (m = marker(/(^|\/)migration_lock\.toml$/))) {
    return { id: 'prisma', evidence: { text: f ? `Prisma's <timestamp>_<name>/migration.sql layout (${f.path.split('/').slice(-2).join('/')})` : `${m} found` } };
  }
  if ((f = has(/^\s*--\s*\+goose\s+up\b/im))) return { id: 'goose', evidence: { text: `-- +goose Up in ${base(f.path)}` } };
  if ((f = has(/^\s*--\s*migrate:up\b/im))) return { id: 'dbmate', evidence: { text: `-- migrate:up in ${base(f.path)}` } };
  if ((f = has(/^--!\s*(Previous|Hash):/m)) || (m = marker(/(^|\/)\.gmrc(\.js)?$/))) return { id: 'graphile-migrate', evidence: { text: f ? `graphile-migrate header in ${base(f.path)}` : `${m} found` } };
  if ((f = has(/^\s*--\s*atlas:/m)) || (m = marker(/(^|\/)atlas\.sum$/))) return { id: 'atlas', evidence: { text: f ? `atlas: directive in ${base(f.path)}` : `${m} found` } };
  if ((f = path(/(^|\/)[VU]\d+(?:[._]\d+)*__[^/]*\.sql$/))) return { id: 'flyway', evidence: { text: `Flyway file name ${base(f.path)}` } };
  if ((f = path(/(^|\/)\d+_[^/.]+(\.[a-z0-9]+)?(\.autocommit)?\.(up|down)\.sql$/i)) && files.some((x) => /\.(postgres|autocommit)\.(up|down)\.sql$/i.test(x.path) || /\{\{.*\}\}/.test(x.text))) {
    return { id: 'popx', evidence: { text: `gobuffalo/pop or ory/popx migration names and templates (${base(f.path)})` } };
  }
  if ((f = path(/(^|\/)\d+_[^/]+\.up\.sql$/i))) return { id: 'golang-migrate', evidence: { text: `<version>_<title>.up.sql file names (${base(f.path)})` } };
  if ((f = has(/^\s*--\s*postgres-migrations\b/im)) || (f = path(/(^|\/|__)\d+-[^/]+\.sql$/))) {
    return { id: 'postgres-migrations', evidence: { text: `postgres-migrations file names or directives (${base(f.path)})` } };
  }
  if ((f = path(/(^|\/)supabase\/migrations\/[^/]+\.sql$/)) || (m = marker(/(^|\/)supabase\/config\.toml$/))) {
    return { id: 'supabase', evidence: { text: f ? 'files in supabase/migrations' : `${m} found` } };
  }
  if ((f = path(/(^|\/)(structure|schema)\.sql$/)) || (f = has(/^-- PostgreSQL database dump/m))) return { id: 'dump', evidence: { text: `${base(f.path)} is a schema dump` } };
  if ((f = path(/(^|\/)deploy\/[^/]+\.sql$/)) && markers.some((x) => /sqitch\.plan$/.test(x))) return { id: 'sqitch', evidence: { text: 'sqitch.plan found' } };
  // Supabase projects name files <14-digit timestamp>_<name>.sql and use its roles.
  if ((f = path(/(^|\/|__)\d{14}_[^/]+\.sql$/)) && files.some((x) => /\b(auth\.uid\s*\(|to\s+authenticated\b|service_role\b)/i.test(x.text))) {
    return { id: 'supabase', evidence: { text: `Supabase migration names (${base(f.path)}) and roles` } };
  }
  return { id: 'psql', evidence: { text: 'no migration tool recognised from file names, directives or marker files' } };
}

function base(p: string): string {
  return p.slice(p.lastIndexOf('/') + 1);
}

export function inferRunner(files: readonly RunnerFile[], config: ResolvedConfig, markers: readonly string[] = []): Runner {
  const configured = config.runner !== undefined;
  const { id, evidence } = configured ? { id: config.runner!, evidence: { text: `configured: "runner": "${config.runner}"` } } : detect(files, markers);
  const def = RUNNERS[id];
  const byPath = new Map(files.map((f) => [f.path, f]));
  return {
    id, label: def.label, configured, evidence,
    splitsNonTransactional: Boolean(def.splitsNonTransactional),
    ...(id === 'popx' && files.some((f) => AUTOCOMMIT_FILE.test(f.path)) ? { autocommitFiles: true } : {}),
    migrationOf(path) {
      // popx versions are <14-digit timestamp><6-digit sequence>: the sequence numbers one statement of a migration.
      const m = id === 'popx' ? /^(.*\/)?(\d{14})\d{6}_/.exec(path) : null;
      return m ? `${m[1] ?? ''}${m[2]}` : path;
    },
    fileMode(path) {
      // assumeInTransaction, when set, is the user's word for every file (file opt-outs still count).
      const f = byPath.get(path) ?? { path, text: '' };
      if (config.assumeInTransaction === false) return { mode: 'none', why: 'configured: "assumeInTransaction": false' };
      const m = def.mode(f);
      if (config.assumeInTransaction === true && m.mode === 'none' && !hasOptOut(f)) return { mode: 'tool', why: 'configured: "assumeInTransaction": true' };
      return m;
    },
  };
}

const AUTOCOMMIT_FILE = /\.autocommit\.(up\.|down\.)?sql$/i;

function hasOptOut(f: RunnerFile): boolean {
  return GOOSE_NO_TX.test(f.text) || DBMATE_NO_TX.test(f.text) || ATLAS_NO_TX.test(f.text) || PG_MIGRATIONS_NO_TX.test(f.text)
    || GRAPHILE_NO_TX.test(f.text) || /\.autocommit\.(up\.|down\.)?sql$/i.test(f.path);
}
