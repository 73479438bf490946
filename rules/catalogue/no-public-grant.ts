import { defineRule, type Report } from '../engine/types';
import type { Origin, TableModel } from '../model/types';
import { applyOrder, tableLabel, tableSql } from './util';

const WRITES = new Set(['insert', 'update', 'delete', 'truncate', 'all']);

const messages = {
  publicGrant: "GRANT {{privileges}} to PUBLIC on {{tables}}: every role in the cluster, including roles created later, can {{access}} {{these}}{{noRls}}. Grant to the application's own role instead, and REVOKE {{privileges}} ON {{tablesSql}} FROM PUBLIC.",
};

export const noPublicGrant = defineRule({
  id: 'no-public-grant',
  category: 'security',
  defaultSeverity: 'warning',
  fixable: false,
  title: 'Do not grant table privileges to PUBLIC',
  messages,
  rationale:
    'PUBLIC is every role in the cluster, including roles created later, reporting and replication users, and other applications sharing the server. A privilege granted to PUBLIC cannot be withheld from any of them, and on a table without row-level security it exposes every row. Grant to the application\'s own role (or a group role) instead.',
  docs: {
    bad: 'CREATE TABLE invoices (id bigint PRIMARY KEY, total numeric);\nGRANT SELECT ON invoices TO PUBLIC;',
    good: 'CREATE TABLE invoices (id bigint PRIMARY KEY, total numeric);\nGRANT SELECT ON invoices TO app_reader;',
    details: 'The final state of the migration set counts: a later REVOKE … FROM PUBLIC clears the finding. Only tables created in the migration set are tracked. The finding sits on the GRANT statement, once per statement.',
  },
  checkSet(ctx) {
    const byGrant = new Map<string, { origin: Origin; tables: TableModel[]; privileges: Set<string> }>();
    for (const t of ctx.model.tables.values()) {
      for (const g of t.publicGrants) {
        const key = `${g.origin.file}:${g.origin.span.start}`;
        const entry = byGrant.get(key) ?? { origin: g.origin, tables: [], privileges: new Set<string>() };
        entry.tables.push(t);
        for (const p of g.privileges) entry.privileges.add(p);
        byGrant.set(key, entry);
      }
    }
    const order = applyOrder(ctx.files);
    const reports: Report<keyof typeof messages>[] = [];
    for (const { origin, tables, privileges } of [...byGrant.values()].sort((a, b) => order(a.origin, b.origin))) {
      const privs = [...privileges].map((p) => p.toUpperCase()).join(', ');
      const names = tables.map(tableLabel).join(', ');
      const open = tables.filter((t) => !t.rlsEnabled).map(tableLabel);
      const writes = [...privileges].some((p) => WRITES.has(p));
      reports.push({
        file: origin.file,
        span: ctx.statementAt(origin)?.span ?? origin.span,
        messageId: 'publicGrant',
        data: {
          privileges: privs, tables: names, access: writes ? 'read or change' : 'read', these: tables.length === 1 ? 'this table' : 'these tables',
          noRls: open.length ? ` (and ${open.join(', ')} ${open.length === 1 ? 'has' : 'have'} no row-level security to narrow it)` : '',
          tablesSql: tables.map(tableSql).join(', '),
        },
      });
    }
    return reports;
  },
});
