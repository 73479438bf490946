// A deterministic ~6,000-line migration exercising every kind of statement the rules read.
export function generateMigration(targetLines = 6000): string {
  const out: string[] = ['-- Generated benchmark migration', "SET lock_timeout = '2s';", ''];
  let i = 0;
  while (out.length < targetLines) {
    const t = `bench_table_${i}`;
    out.push(
      `CREATE TABLE ${t} (`,
      '  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,',
      '  tenant_id uuid NOT NULL REFERENCES tenants (id),',
      `  parent_id bigint REFERENCES bench_table_${Math.max(0, i - 1)} (id),`,
      '  name text NOT NULL,',
      '  email text,',
      '  api_token text,',
      '  amount numeric(12, 2) DEFAULT 0,',
      '  created_at timestamp NOT NULL DEFAULT now()',
      ');',
      `CREATE INDEX ${t}_tenant_idx ON ${t} (tenant_id, created_at);`,
      `CREATE UNIQUE INDEX ${t}_email_key ON ${t} (email);`,
      `ALTER TABLE ${t} ENABLE ROW LEVEL SECURITY;`,
      `CREATE POLICY ${t}_isolation ON ${t} USING (tenant_id = current_setting('app.current_tenant_id', true)::uuid);`,
      `COMMENT ON TABLE ${t} IS 'benchmark table ${i}';`,
      `ALTER TABLE ${t} ADD COLUMN status text NOT NULL DEFAULT 'new';`,
      `ALTER TABLE ${t} ADD CONSTRAINT ${t}_amount_check CHECK (amount >= 0) NOT VALID;`,
      `ALTER TABLE ${t} VALIDATE CONSTRAINT ${t}_amount_check;`,
      `INSERT INTO ${t} (tenant_id, name) SELECT id, 'seed' FROM tenants WHERE name LIKE 'a%';`,
      `UPDATE ${t} SET status = 'old' WHERE created_at < now() - interval '1 year';`,
      '',
    );
    i++;
  }
  return ['CREATE TABLE tenants (id uuid PRIMARY KEY, name text NOT NULL);', ...out].join('\n') + '\n';
}
