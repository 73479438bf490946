// The rules the engine itself reports, with their metadata and message templates.
import type { RuleMeta } from './types';

/** Rules the engine itself reports (they have no check function). */
export const metaRules: RuleMeta[] = [
  {
    id: 'syntax-error', category: 'meta', defaultSeverity: 'error', fixable: false,
    title: 'Statements must parse',
    messages: { syntaxError: 'Syntax error: {{error}}. The statement was not analysed.' },
    rationale: 'PostgreSQL rejects this statement, so the migration fails when it reaches it. SQL Architect parses every statement with the real PostgreSQL 18 parser; the statements around a broken one are still analysed.',
    docs: { bad: 'CREATE TABLE t (id bigint PRIMARY KEY,, name text);', good: 'CREATE TABLE t (id bigint PRIMARY KEY, name text);' },
  },
  {
    id: 'unused-ignore', category: 'meta', defaultSeverity: 'warning', fixable: true,
    title: 'Ignore comments must suppress something',
    messages: {
      unknownRule: 'Unknown rule {{rules}} in this ignore comment.',
      unused: 'This ignore comment suppresses nothing: remove it, or the rule it names no longer fires here.',
      unusedRules: 'This ignore comment suppresses nothing ({{rules}}): remove it, or the rule it names no longer fires here.',
    },
    rationale: 'An ignore comment that suppresses nothing hides nothing today but will hide a real finding tomorrow; one that names an unknown rule is a typo. Remove it.',
    docs: { bad: '-- sql-architect-ignore prefer-timestamptz: legacy column\nCREATE TABLE t (id bigint PRIMARY KEY, at timestamptz);', good: '-- sql-architect-ignore prefer-timestamptz: legacy column\nCREATE TABLE t (id bigint PRIMARY KEY, at timestamp);' },
  },
  {
    id: 'dynamic-sql-not-analysed', category: 'meta', defaultSeverity: 'info', fixable: false,
    title: 'Dynamic SQL in DO blocks is not analysed',
    messages: { dynamicSql: 'Dynamic SQL not analysed: this EXECUTE builds its SQL while the migration runs, so the review cannot see the locks it takes or the objects it changes. Check it by hand, or replay the migration with Trace Migration Locks (sql-architect trace) to measure it.' },
    rationale: 'A DO block runs when the migration runs, so SQL Architect analyses the statements in it like any other: the statements written in the body, and the SQL of an EXECUTE when its text is known but for some names: a constant string, format() of a constant template, or constant strings joined with values by `||` (the placeholders and values stand for names nobody knows). SQL an EXECUTE takes whole from a variable or a query cannot be seen: the locks it takes and the objects it changes are missing from the review. This finding says where; check that statement by hand, or measure it with `sql-architect trace`.',
    docs: {
      bad: "DO $$\nDECLARE stmt text;\nBEGIN\n  SELECT string_agg(format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', tablename), '; ') INTO stmt\n    FROM pg_tables WHERE schemaname = 'public';\n  EXECUTE stmt;\nEND $$;",
      good: "DO $$\nDECLARE t text;\nBEGIN\n  FOR t IN SELECT tablename FROM pg_tables WHERE schemaname = 'public' LOOP\n    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);\n  END LOOP;\nEND $$;",
    },
  },
  {
    id: 'migration-fails', category: 'meta', defaultSeverity: 'error', fixable: false, requiresDatabase: true,
    title: 'Migrations must run on PostgreSQL',
    messages: { rejected: 'PostgreSQL rejects this statement: {{error}}. The migration fails here.' },
    rationale: 'Replayed in order on a real PostgreSQL (embedded PGlite, or your server with --database-url), this statement fails: a column that does not exist, a type mismatch, CONCURRENTLY inside a transaction block. The deployment would stop here. Reported by `sql-architect trace` and the editor\'s Trace Migration Locks command; errors that only follow from an earlier failure are not repeated.',
    docs: { bad: 'CREATE TABLE t (id bigint PRIMARY KEY);\nALTER TABLE t ALTER COLUMN name SET NOT NULL;', good: 'CREATE TABLE t (id bigint PRIMARY KEY, name text);\nALTER TABLE t ALTER COLUMN name SET NOT NULL;' },
  },
  {
    id: 'analysis-limit', category: 'meta', defaultSeverity: 'info', fixable: false, sizeLimit: true,
    title: 'Input past the size limits is skipped',
    messages: {
      fileTooLarge: 'This file is {{size}}, more than the {{limit}} SQL Architect analyses: it was skipped, so neither its statements nor what they do to the schema are checked. Split it into smaller migrations, or leave data loads out of the reviewed files.',
      statementTooLarge: 'This statement is {{size}}, more than the {{limit}} SQL Architect analyses: it was not parsed or checked, and what it does to the schema is left out. Large INSERTs are better split into batches, or loaded with COPY.',
      moreFindings: '{{count}} more findings in this file, from here on, are not shown: the editor gets at most {{limit}} per file. `sql-architect check` lists them all.',
      oneMoreFinding: '1 more finding in this file, from here on, is not shown: the editor gets at most {{limit}} per file. `sql-architect check` lists them all.',
    },
    rationale: 'A statement longer than 1 MB (typically a data load: one INSERT with many thousand rows) or a file larger than 20 MB is not parsed or checked: parsing it would take seconds and hundreds of megabytes, and freeze the editor, for a statement the rules have little to say about. It is reported once, where it starts, so you know that part was not reviewed; the editor likewise shows at most 10,000 findings per file and says how many more there are. Split large data loads into batches or load them with COPY.',
    docs: {
      bad: "INSERT INTO countries (code, name) VALUES ('AD', 'Andorra'), ('AE', 'United Arab Emirates') /* … and 1 MB more rows */;",
      good: "COPY countries (code, name) FROM '/data/countries.csv' WITH (FORMAT csv);",
    },
  },
];

const metaRule = (id: string): RuleMeta => metaRules.find((r) => r.id === id)!;
export const syntaxErrorRule = metaRule('syntax-error');
export const unusedIgnoreRule = metaRule('unused-ignore');
export const dynamicSqlRule = metaRule('dynamic-sql-not-analysed');
export const migrationFailsRule = metaRule('migration-fails');
export const analysisLimitRule = metaRule('analysis-limit');
