// The one registry: every rule id the config, suppressions, docs, CLI and editor know comes from here.
import { designRules } from '../catalogue/design';
import { lockingRules } from '../catalogue/locking';
import { securityRules } from '../catalogue/security';
import { tenancyRules } from '../catalogue/tenancy';
import type { RuleMeta, Rule } from './types';

/** Rules the engine itself reports (they have no check function). */
export const metaRules: RuleMeta[] = [
  {
    id: 'syntax-error', category: 'meta', defaultSeverity: 'error', fixable: false,
    title: 'Statements must parse',
    rationale: 'PostgreSQL rejects this statement, so the migration fails when it reaches it. SQL Architect parses every statement with the real PostgreSQL 18 parser; the statements around a broken one are still analysed.',
    docs: { bad: 'CREATE TABLE t (id bigint PRIMARY KEY,, name text);', good: 'CREATE TABLE t (id bigint PRIMARY KEY, name text);' },
  },
  {
    id: 'unused-ignore', category: 'meta', defaultSeverity: 'warning', fixable: true,
    title: 'Ignore comments must suppress something',
    rationale: 'An ignore comment that suppresses nothing hides nothing today but will hide a real finding tomorrow; one that names an unknown rule is a typo. Remove it.',
    docs: { bad: '-- sql-architect-ignore prefer-timestamptz: legacy column\nCREATE TABLE t (id bigint PRIMARY KEY, at timestamptz);', good: '-- sql-architect-ignore prefer-timestamptz: legacy column\nCREATE TABLE t (id bigint PRIMARY KEY, at timestamp);' },
  },
  {
    id: 'dynamic-sql-not-analysed', category: 'meta', defaultSeverity: 'info', fixable: false,
    title: 'Dynamic SQL in DO blocks is not analysed',
    rationale: 'A DO block runs when the migration runs, so SQL Architect analyses the statements in it like any other: the statements written in the body, and the SQL of an EXECUTE when its text is known but for some names: a constant string, format() of a constant template, or constant strings joined with values by `||` (the placeholders and values stand for names nobody knows). SQL an EXECUTE takes whole from a variable or a query cannot be seen: the locks it takes and the objects it changes are missing from the review. This finding says where; check that statement by hand, or measure it with `sql-architect trace`.',
    docs: {
      bad: "DO $$\nDECLARE stmt text;\nBEGIN\n  SELECT string_agg(format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', tablename), '; ') INTO stmt\n    FROM pg_tables WHERE schemaname = 'public';\n  EXECUTE stmt;\nEND $$;",
      good: "DO $$\nDECLARE t text;\nBEGIN\n  FOR t IN SELECT tablename FROM pg_tables WHERE schemaname = 'public' LOOP\n    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);\n  END LOOP;\nEND $$;",
    },
  },
  {
    id: 'migration-fails', category: 'meta', defaultSeverity: 'error', fixable: false, requiresDatabase: true,
    title: 'Migrations must run on PostgreSQL',
    rationale: 'Replayed in order on a real PostgreSQL (embedded PGlite, or your server with --database-url), this statement fails: a column that does not exist, a type mismatch, CONCURRENTLY inside a transaction block. The deployment would stop here. Reported by `sql-architect trace` and the editor\'s Trace Migration Locks command; errors that only follow from an earlier failure are not repeated.',
    docs: { bad: 'CREATE TABLE t (id bigint PRIMARY KEY);\nALTER TABLE t ALTER COLUMN name SET NOT NULL;', good: 'CREATE TABLE t (id bigint PRIMARY KEY, name text);\nALTER TABLE t ALTER COLUMN name SET NOT NULL;' },
  },
];

export const allRules: Rule[] = [...tenancyRules, ...securityRules, ...lockingRules, ...designRules];

export const allRuleMeta: RuleMeta[] = [...allRules, ...metaRules];

export const allRuleIds: string[] = allRuleMeta.map((r) => r.id);

export function ruleMeta(id: string): RuleMeta | undefined {
  return allRuleMeta.find((r) => r.id === id);
}

/** The documentation page of a rule, derived from its id (never typed by hand). */
export const DOCS_BASE = 'https://github.com/sql-architect/sql-architect/blob/main/docs/rules/';
export function docsUrl(id: string): string {
  return `${DOCS_BASE}${id}.md`;
}
