// Deterministic inputs for `npm run bench`.

/**
 * A migration creating `count` tenant tables (6.5 lines and 3.5 findings per table: a tenant table without a
 * tenant-leading index, a foreign key without an index, a unique key without the tenant column, and on every other
 * table an API token stored in clear), plus the tenants table.
 */
export function generateTenantTables(count: number): string {
  const out: string[] = ['CREATE TABLE tenants (id uuid PRIMARY KEY, name text NOT NULL);', ''];
  for (let i = 0; i < count; i++) {
    out.push(
      `CREATE TABLE t${i} (`,
      '  id bigint PRIMARY KEY,',
      '  tenant_id uuid NOT NULL,',
      `  ref bigint REFERENCES t${Math.max(0, i - 1)},`,
      `  email text UNIQUE${i % 2 ? ',' : ''}`,
      ...(i % 2 ? ['  api_token text'] : []),
      ');',
    );
  }
  return out.join('\n') + '\n';
}

/** One `SELECT 1, 2, 3, …` statement of about `bytes` characters. */
export function hugeStatement(bytes: number): string {
  const parts: string[] = [];
  let n = 0;
  for (let i = 1; n < bytes; i++) {
    const s = String(i);
    parts.push(s);
    n += s.length + 2;
  }
  return `SELECT ${parts.join(', ')};\n`;
}
