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
    id: 'migration-fails', category: 'meta', defaultSeverity: 'error', fixable: false, requiresDatabase: true,
    title: 'Migrations must run on PostgreSQL',
    messages: { rejected: 'PostgreSQL rejects this statement: {{error}}. The migration fails here.' },
    rationale: 'Replayed in order on a real PostgreSQL (embedded PGlite, or your server with --database-url), this statement fails: a column that does not exist, a type mismatch, CONCURRENTLY inside a transaction block. The deployment would stop here. Reported by `sql-architect trace` and the editor\'s Trace Migration Locks command; errors that only follow from an earlier failure are not repeated.',
    docs: { bad: 'CREATE TABLE t (id bigint PRIMARY KEY);\nALTER TABLE t ALTER COLUMN name SET NOT NULL;', good: 'CREATE TABLE t (id bigint PRIMARY KEY, name text);\nALTER TABLE t ALTER COLUMN name SET NOT NULL;' },
  },
];

export const [syntaxErrorRule, unusedIgnoreRule, migrationFailsRule] = metaRules;
