import { defineRule, type Report } from '../engine/types';
import { integerType, isSerialType, type TypeRef } from '../model/types';
import { builtin, columnLabel, referencedColumns, typeSites, typeTextSpan } from './design-util';
import { findConstraintDef, typeSql } from './util';

const INT_RANK = { int2: 1, int4: 2, int8: 3 } as const;
const INT_SQL = ['', 'smallint', 'integer', 'bigint'];
const TEXT_TYPES = ['text', 'varchar'];

/** Why `child` cannot hold every value of `parent`, and the type it should have; undefined when it can. */
function narrower(child: TypeRef, parent: TypeRef): { reason: string; type: string; pattern: string } | undefined {
  if (child.array || parent.array) return undefined;
  const childInt = builtin(child, 'int2', 'int4', 'int8') ? integerType(child) : undefined;
  const parentInt = builtin(parent, parent.name) ? integerType(parent) : undefined;
  const c = childInt && INT_RANK[childInt];
  const p = parentInt && INT_RANK[parentInt];
  if (c && p && c < p) {
    return {
      reason: `once the referenced values pass ${c === 1 ? '32,767' : '2,147,483,647'}, rows that reference them cannot be inserted ("${INT_SQL[c]} out of range")`,
      type: INT_SQL[p],
      pattern: 'smallint|integer|bigint|int2|int4|int8|int',
    };
  }
  if (builtin(child, 'varchar') && child.mods.length === 1 && builtin(parent, ...TEXT_TYPES)) {
    const limit = child.mods[0];
    const parentLimit = parent.name === 'varchar' && parent.mods.length === 1 ? parent.mods[0] : Infinity;
    if (parentLimit <= limit) return undefined;
    return {
      reason: `a referenced value longer than ${limit} characters cannot be stored in it`,
      type: typeSql({ ...parent, name: parent.name, mods: parent.name === 'varchar' ? parent.mods : [] }),
      pattern: '(?:character\\s+varying|varchar)(?:\\s*\\(\\s*\\d+\\s*\\))?',
    };
  }
  return undefined;
}

function shown(t: TypeRef): string {
  return isSerialType(t) ? t.name : typeSql(t);
}

const messages = {
  narrower: 'Foreign key column {{column}} is {{type}} but references {{referenced}}, which is {{referencedType}}: {{reason}}. Make {{column}} {{wider}}.',
};

export const requireMatchingForeignKeyType = defineRule({
  id: 'require-matching-foreign-key-type',
  category: 'design',
  defaultSeverity: 'warning',
  fixable: true,
  title: 'Foreign key columns must be as wide as the columns they reference',
  messages,
  rationale:
    'PostgreSQL accepts a foreign key whose column is narrower than the referenced one, such as an `integer` column referencing a `bigint` key or `varchar(20)` referencing `text`. It works until the parent holds a value the child cannot: once the parent\'s ids pass 2,147,483,647, rows that reference the new parents fail with "integer out of range", usually years after the migration and on the busiest table. Give the foreign key column the referenced column\'s type.',
  docs: {
    bad: 'CREATE TABLE customers (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY);\nCREATE TABLE orders (\n  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n  customer_id integer NOT NULL REFERENCES customers (id)\n);\nCREATE INDEX orders_customer_id_idx ON orders (customer_id);',
    good: 'CREATE TABLE customers (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY);\nCREATE TABLE orders (\n  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n  customer_id bigint NOT NULL REFERENCES customers (id)\n);\nCREATE INDEX orders_customer_id_idx ON orders (customer_id);',
    details:
      'Integer widths (`smallint` < `integer` < `bigint`, serials included) and `varchar(n)` columns referencing longer text are checked on the schema at the end of the migration set. A wider foreign key column than the referenced one is harmless and not reported. The fix changes the foreign key column\'s type where it is written; it changes the type applications read, so it is never applied by "fix all".',
  },
  checkSet(ctx) {
    const reports: Report<keyof typeof messages>[] = [];
    // Where each type is written: found for the set's first mismatch only (most sets have none).
    let sites: ReturnType<typeof typeSites> | undefined;
    for (const t of ctx.model.tables.values()) {
      if (t.temporary) continue;
      const done = new Set<string>();
      for (const fk of t.constraints) {
        if (fk.kind !== 'foreign') continue;
        const ref = referencedColumns(ctx.model, fk);
        if (!ref) continue;
        fk.columns.forEach((name, k) => {
          const child = t.columns.get(name);
          const parent = ref.table.columns.get(ref.columns[k]);
          if (!child || !parent || done.has(name)) return;
          const gap = narrower(child.type, parent.type);
          if (!gap) return;
          done.add(name);
          const stmt = ctx.statementAt(fk.origin);
          const decl = findConstraintDef(stmt, fk);
          const site = (sites ??= typeSites(ctx)).get(child.type);
          const span = site && typeTextSpan(site.file.text, child.type, gap.pattern);
          const childLabel = columnLabel(t, name);
          const parentLabel = columnLabel(ref.table, parent.name);
          reports.push({
            file: fk.origin.file,
            span: decl?.span ?? stmt?.span ?? fk.origin.span,
            statement: stmt,
            messageId: 'narrower',
            data: { column: childLabel, type: shown(child.type), referenced: parentLabel, referencedType: shown(parent.type), reason: gap.reason, wider: gap.type },
            related: site && site.file.path === fk.origin.file && site.statement.span.start === fk.origin.span.start
              ? []
              : [...(site ? [{ file: site.file.path, span: span ?? site.statement.span, message: `${childLabel} gets its type here` }] : [])],
            fixes: span
              ? [{
                  title: `Change the type of ${childLabel} to ${gap.type}`,
                  safe: false,
                  edits: [{ ...(site.file.path !== fk.origin.file ? { file: site.file.path } : {}), start: span.start, end: span.end, newText: gap.type }],
                }]
              : [],
          });
        });
      }
    }
    return reports;
  },
});
