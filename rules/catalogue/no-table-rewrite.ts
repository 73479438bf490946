import { defineRule, type Fix, type Report, type StatementContext } from '../engine/types';
import type { QName } from '../model/types';
import { isExisting, tableText } from './locking-util';
import { tokens } from '../parser/lexer';

const messages = {
  vacuumFull: 'VACUUM FULL {{tables}} rewrites {{tables}} and all indexes under an ACCESS EXCLUSIVE lock: every query waits, SELECT included, for the whole rewrite. Use {{online}} to compact online, or plain VACUUM to make the space reusable without the lock.',
  vacuumFullDatabase: 'VACUUM FULL rewrites every table of the database and all indexes under an ACCESS EXCLUSIVE lock: every query waits, SELECT included, for the whole rewrite. Use {{online}} to compact online, or plain VACUUM to make the space reusable without the lock.',
  cluster: 'CLUSTER {{table}} rewrites {{table}} in index order under an ACCESS EXCLUSIVE lock: every query waits, SELECT included, for the whole rewrite. Use {{online}} to reorder online.',
  clusterDatabase: 'CLUSTER rewrites every clustered table of the database in index order under an ACCESS EXCLUSIVE lock: every query waits, SELECT included, for the whole rewrite. Use {{online}} to reorder online.',
  rewrite: '{{what}} on {{table}} {{how}} and its indexes under an ACCESS EXCLUSIVE lock: every query on {{table}} waits, SELECT included, for the whole copy. There is no online form: run it in a maintenance window with lock_timeout set.',
  setTablespace: '{{what}} on {{table}} {{how}} and its indexes under an ACCESS EXCLUSIVE lock: every query on {{table}} waits, SELECT included, for the whole copy. There is no online form: run it in a maintenance window with lock_timeout set, or move the table online with pg_repack --tablespace.',
};

export const noTableRewrite = defineRule({
  id: 'no-table-rewrite',
  category: 'locking',
  defaultSeverity: 'warning',
  fixable: true,
  scalesWithTableSize: true,
  title: 'Do not rewrite existing tables under an ACCESS EXCLUSIVE lock',
  messages,
  rationale:
    'VACUUM FULL, CLUSTER, ALTER TABLE … SET LOGGED / SET UNLOGGED, SET TABLESPACE and SET ACCESS METHOD copy the whole table and its indexes while holding an ACCESS EXCLUSIVE lock: every query on the table, SELECT included, waits for the whole copy. To remove bloat or reorder a table online use pg_repack or pg_squeeze, or REPACK (CONCURRENTLY) on PostgreSQL 19+; plain VACUUM makes dead space reusable without the lock.',
  docs: {
    bad: 'VACUUM FULL orders;',
    good: 'VACUUM orders;',
    details: 'Tables created earlier in the same file are exempt. `VACUUM FULL` and `CLUSTER` without a table name rewrite every table (every clustered table) of the database. The fix for VACUUM FULL drops FULL: the space becomes reusable but is not returned to the operating system.',
  },
  actionTypes: ['vacuum', 'cluster', 'set-logged', 'alter-table-other'],
  check(ctx) {
    const reports: Report<keyof typeof messages>[] = [];
    const pg = ctx.config.postgresVersion;
    const repack = (t: string) => (pg >= 19 ? `REPACK (CONCURRENTLY) ${t}` : 'pg_repack (or pg_squeeze)');
    for (const a of ctx.statement.actions) {
      if (a.type === 'vacuum' && a.full) {
        const hit = a.tables.filter((q) => isExisting(ctx, q));
        if (a.tables.length > 0 && hit.length === 0) continue;
        const list = hit.length ? hit.map((q) => tableText(ctx, q)).join(', ') : 'every table of the database';
        reports.push({
          messageId: hit.length ? 'vacuumFull' : 'vacuumFullDatabase',
          data: { tables: list, online: repack(hit.length === 1 ? list : '<table>') },
          recipe: `VACUUM${hit.length ? ` ${list}` : ''};  -- space reusable, no ACCESS EXCLUSIVE\n-- or compact online: ${pg >= 19 ? `REPACK (CONCURRENTLY) ${hit.length === 1 ? list : '<table>'};` : `pg_repack --no-order --table=${hit.length === 1 ? list : '<table>'} <database>`}`,
          fixes: dropFull(ctx),
        });
      }
      if (a.type === 'cluster') {
        if (a.table && !isExisting(ctx, a.table)) continue;
        const t = a.table ? tableText(ctx, a.table) : 'every clustered table of the database';
        reports.push({
          messageId: a.table ? 'cluster' : 'clusterDatabase',
          data: { table: t, online: pg >= 19 ? `REPACK (CONCURRENTLY) ${a.table ? t : '<table>'} USING INDEX` : 'pg_repack --order-by / --index (or pg_squeeze)' },
          recipe: pg >= 19 ? `REPACK (CONCURRENTLY) ${a.table ? t : '<table>'} USING INDEX <index>;` : `pg_repack --table=${a.table ? t : '<table>'} --index=<index> <database>`,
        });
      }
      if (a.type === 'set-logged' && isExisting(ctx, a.table)) {
        const m = ctx.before.table(a.table);
        if (m && m.unlogged === !a.logged) continue; // already that persistence: nothing to copy
        reports.push(rewrite(ctx, a.table, a.logged ? 'SET LOGGED' : 'SET UNLOGGED', a.logged ? 'copies the whole table into the WAL' : 'rewrites the whole table'));
      }
      if (a.type === 'alter-table-other' && isExisting(ctx, a.table) && (a.subtype === 'AT_SetTableSpace' || a.subtype === 'AT_SetAccessMethod')) {
        reports.push(rewrite(ctx, a.table, a.subtype === 'AT_SetTableSpace' ? 'SET TABLESPACE' : 'SET ACCESS METHOD', a.subtype === 'AT_SetTableSpace' ? 'copies every file of the table' : 'rewrites the whole table'));
      }
    }
    return reports;
  },
});

function rewrite(ctx: StatementContext, table: QName, what: string, how: string): Report<keyof typeof messages> {
  const t = tableText(ctx, table);
  return {
    messageId: what === 'SET TABLESPACE' ? 'setTablespace' : 'rewrite',
    data: { what, table: t, how },
    recipe: `-- in a maintenance window:\nSET lock_timeout = '${ctx.config.lockTimeout}';\nALTER TABLE ${t} ${what} …;`,
  };
}

/** VACUUM FULL t → VACUUM t; VACUUM (FULL, ANALYZE) t → VACUUM (ANALYZE) t. */
function dropFull(ctx: StatementContext): Fix[] {
  const toks = tokens(ctx.file.text, ctx.statement.span.start, ctx.statement.span.end);
  const i = toks.findIndex((t) => t.word === 'full');
  if (i < 1) return [];
  // FULL may carry a boolean: (FULL true).
  const last = /^(true|on|1)$/i.test(toks[i + 1]?.text ?? '') ? i + 1 : i;
  let edit: { start: number; end: number } | undefined;
  if (toks[i - 1].word === 'vacuum') edit = { start: toks[i - 1].end, end: toks[i].end };
  else if (toks[i - 1].text === '(' && toks[last + 1]?.text === ')') edit = { start: toks[i - 2].end, end: toks[last + 1].end };
  else if (toks[i - 1].text === '(' && toks[last + 1]?.text === ',') edit = { start: toks[i].start, end: toks[last + 2].start };
  else if (toks[i - 1].text === ',') edit = { start: toks[i - 1].start, end: toks[last].end };
  return edit ? [{ title: 'Use plain VACUUM (space reusable, not returned to the OS; no ACCESS EXCLUSIVE lock)', safe: false, edits: [{ ...edit, newText: '' }] }] : [];
}
