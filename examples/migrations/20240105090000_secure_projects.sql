-- Row-level security for projects, a migration after the table was created.
ALTER TABLE projects ENABLE ROW LEVEL SECURITY;
ALTER TABLE projects FORCE ROW LEVEL SECURITY;
CREATE POLICY projects_tenant_isolation ON projects
  USING (tenant_id = (SELECT current_setting('app.current_tenant_id', true))::uuid)
  WITH CHECK (tenant_id = (SELECT current_setting('app.current_tenant_id', true))::uuid);
