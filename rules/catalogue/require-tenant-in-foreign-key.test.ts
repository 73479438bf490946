import assert from 'node:assert/strict';
import { before, describe, it } from 'mocha';
import { initParser } from '../parser/adapter';
import { ruleTester, runCase } from '../testing/tester';
import { requireTenantInForeignKey } from './require-tenant-in-foreign-key';

const PROJECTS = 'CREATE TABLE projects (id bigint PRIMARY KEY, tenant_id uuid NOT NULL, UNIQUE (tenant_id, id));\n';

ruleTester(requireTenantInForeignKey, {
  valid: [
    `${PROJECTS}CREATE TABLE tasks (id bigint PRIMARY KEY, tenant_id uuid NOT NULL, project_id bigint NOT NULL, FOREIGN KEY (tenant_id, project_id) REFERENCES projects (tenant_id, id));`,
    // A foreign key to the tenant registry is what makes a table tenant-scoped.
    'CREATE TABLE tenants (id uuid PRIMARY KEY); CREATE TABLE tasks (id bigint PRIMARY KEY, tenant_id uuid NOT NULL REFERENCES tenants (id));',
    // To or from a table without a tenant column.
    'CREATE TABLE users (id bigint PRIMARY KEY); CREATE TABLE tasks (id bigint PRIMARY KEY, tenant_id uuid NOT NULL, assignee bigint REFERENCES users (id));',
    'CREATE TABLE tasks (id bigint PRIMARY KEY, tenant_id uuid NOT NULL); CREATE TABLE audit (id bigint PRIMARY KEY, task_id bigint REFERENCES tasks (id));',
    // Different tenant column names on the two sides, matched by position.
    'CREATE TABLE projects (id bigint PRIMARY KEY, org_id bigint NOT NULL, UNIQUE (org_id, id)); CREATE TABLE tasks (id bigint PRIMARY KEY, organization_id bigint NOT NULL, project_id bigint, FOREIGN KEY (organization_id, project_id) REFERENCES projects (org_id, id));',
    // The single-column key was replaced by a composite one in a later migration.
    {
      sql: {
        'db/001.sql': `${PROJECTS}CREATE TABLE tasks (id bigint PRIMARY KEY, tenant_id uuid NOT NULL, project_id bigint NOT NULL REFERENCES projects (id));`,
        'db/002.sql': 'ALTER TABLE tasks DROP CONSTRAINT tasks_project_id_fkey, ADD CONSTRAINT tasks_project_fk FOREIGN KEY (tenant_id, project_id) REFERENCES projects (tenant_id, id) NOT VALID;',
      },
    },
  ],
  invalid: [
    {
      sql: `${PROJECTS}CREATE TABLE tasks (id bigint PRIMARY KEY, tenant_id uuid NOT NULL, project_id bigint NOT NULL REFERENCES projects (id));`,
      errors: [{ line: 2, column: 96, messageId: 'missingTenant', data: { name: 'tasks_project_id_fkey', table: 'tasks', columns: 'project_id', target: 'projects', tenantColumn: 'tenant_id', fkColumns: 'tenant_id, project_id', targetColumns: 'tenant_id, id' }, message: /Foreign key "tasks_project_id_fkey" from tenant table tasks \(project_id\) to tenant table projects does not include tenant_id.*Make it FOREIGN KEY \(tenant_id, project_id\) REFERENCES projects \(tenant_id, id\)\.$/ }],
    },
    {
      // Matching the tenant column against a non-tenant column does not count; the target lacks UNIQUE (tenant_id, id).
      sql: 'CREATE TABLE projects (id bigint PRIMARY KEY, tenant_id uuid NOT NULL);\nCREATE TABLE tasks (id bigint PRIMARY KEY, tenant_id uuid NOT NULL, project_id bigint);\nALTER TABLE tasks ADD CONSTRAINT tasks_project_fk FOREIGN KEY (tenant_id, project_id) REFERENCES projects (id, id);',
      errors: [{ line: 3, column: 23, messageId: 'mispaired', data: { target: 'projects', column: 'tenant_id', targetColumn: 'id', targetTenantColumn: 'tenant_id', targetColumns: 'tenant_id, id', addUnique: ', after adding UNIQUE (tenant_id, id) on projects' } }],
    },
    {
      // UNIQUE (id, tenant_id) is the key PostgreSQL needs for REFERENCES projects (tenant_id, id): no UNIQUE to add.
      sql: 'CREATE TABLE projects (id bigint PRIMARY KEY, tenant_id uuid NOT NULL, UNIQUE (id, tenant_id));\nCREATE TABLE tasks (id bigint PRIMARY KEY, tenant_id uuid NOT NULL, project_id bigint NOT NULL REFERENCES projects (id));',
      errors: [{ line: 2, column: 96, messageId: 'missingTenant', data: { targetColumns: 'tenant_id, id', addUnique: '' } }],
    },
    {
      // A self-reference; declared in a later migration; non-ASCII names and comment.
      sql: {
        'db/001_init.sql': 'CREATE TABLE "Ordner" (id bigint PRIMARY KEY, workspace_id bigint NOT NULL);',
        'db/002_parent.sql': '-- Übergeordneter Ordner 📁\nALTER TABLE "Ordner" ADD COLUMN eltern_id bigint REFERENCES "Ordner" (id);',
      },
      errors: [{ file: 'db/002_parent.sql', line: 2, column: 50, messageId: 'missingTenant', data: { table: 'Ordner', columns: 'eltern_id', target: 'Ordner' } }],
    },
  ],
});

describe('require-tenant-in-foreign-key, the project-wide note', () => {
  before(() => initParser());
  const note = (extra: string) => runCase({
    'db/001.sql': `CREATE TABLE tenants (id uuid PRIMARY KEY);\nCREATE TABLE projects (id bigint PRIMARY KEY, tenant_id uuid NOT NULL REFERENCES tenants${extra});\nCREATE TABLE tasks (id bigint PRIMARY KEY, tenant_id uuid NOT NULL REFERENCES tenants, project_id bigint REFERENCES projects);\nCREATE TABLE notes (id bigint PRIMARY KEY, tenant_id uuid NOT NULL REFERENCES tenants, task_id bigint REFERENCES tasks);`,
  }).findings.find((f) => f.rule === requireTenantInForeignKey.id && f.messageId === 'convention');
  it('names the UNIQUE the composite key needs when the referenced table lacks it', () => {
    assert.match(note('')!.message, /REFERENCES projects \(tenant_id, id\), after adding UNIQUE \(tenant_id, id\) to projects\.$/);
  });
  it('says nothing of it when the referenced table has it', () => {
    assert.match(note(', UNIQUE (id, tenant_id)')!.message, /REFERENCES projects \(tenant_id, id\)\.$/);
  });
  it('still reports, each on its own, a key that pairs the tenant column with the wrong column (a bug, not the design)', () => {
    const findings = runCase({
      'db/001.sql': 'CREATE TABLE tenants (id uuid PRIMARY KEY);\nCREATE TABLE projects (id bigint PRIMARY KEY, tenant_id uuid NOT NULL REFERENCES tenants);\nCREATE TABLE tasks (id bigint PRIMARY KEY, tenant_id uuid NOT NULL REFERENCES tenants, project_id bigint REFERENCES projects);\nCREATE TABLE notes (id bigint PRIMARY KEY, tenant_id uuid NOT NULL REFERENCES tenants, task_id bigint REFERENCES tasks);\nCREATE TABLE links (id bigint PRIMARY KEY, tenant_id uuid NOT NULL REFERENCES tenants, note_id bigint, FOREIGN KEY (tenant_id, note_id) REFERENCES notes (id, id));',
    }).findings.filter((f) => f.rule === requireTenantInForeignKey.id);
    assert.deepEqual(findings.map((f) => [f.messageId, f.data?.name]), [['convention', 'tasks_project_id_fkey'], ['mispaired', 'links_tenant_id_note_id_fkey']]);
    assert.equal(findings[0].data?.count, 2);
  });
});

describe('require-tenant-in-foreign-key, the recipe', () => {
  before(() => initParser());
  const recipe = (files: Record<string, string>) => runCase(files).findings.find((f) => f.rule === requireTenantInForeignKey.id && f.messageId === 'missingTenant')!.recipe!;
  const projects = 'CREATE TABLE projects (id bigint PRIMARY KEY, tenant_id uuid NOT NULL);';
  const tasks = 'CREATE TABLE tasks (id bigint PRIMARY KEY, tenant_id uuid NOT NULL, project_id bigint NOT NULL REFERENCES projects (id));';
  it('on tables the same migration creates: plain DDL', () => {
    const r = recipe({ 'db/001.sql': `${projects}\n${tasks}` });
    assert.match(r, /^CREATE UNIQUE INDEX projects_tenant_id_id_key ON projects \(tenant_id, id\);\n/);
    assert.doesNotMatch(r, /CONCURRENTLY|NOT VALID|VALIDATE/);
  });
  it('on existing tables: the key built concurrently, the foreign key NOT VALID and validated in a later migration', () => {
    const r = recipe({ 'db/001.sql': projects, 'db/002.sql': tasks });
    assert.match(r, /^CREATE UNIQUE INDEX CONCURRENTLY projects_tenant_id_id_key ON projects \(tenant_id, id\);/);
    assert.match(r, /REFERENCES projects \(tenant_id, id\) NOT VALID;\n-- a later migration[^\n]*\nALTER TABLE tasks VALIDATE CONSTRAINT tasks_project_id_fkey;$/);
  });
});

describe('require-tenant-in-foreign-key on a table the application only reads', () => {
  before(() => initParser());
  const of = (grant: string) => runCase({
    'db/001.sql': `${PROJECTS}CREATE TABLE tasks (id bigint PRIMARY KEY, tenant_id uuid NOT NULL, project_id bigint NOT NULL REFERENCES projects (id));\nGRANT SELECT, INSERT, UPDATE, DELETE ON projects TO app;\n${grant}`,
  }).findings.filter((f) => f.rule === requireTenantInForeignKey.id);
  it('is info, and says which grant keeps the application from writing it', () => {
    const [f] = of('GRANT SELECT ON tasks TO app;');
    assert.equal(f.severity, 'info');
    assert.ok(f.related.some((r) => /app may only read tasks/.test(r.message)), JSON.stringify(f.related));
  });
  it('stays a warning where the application writes it', () => {
    assert.equal(of('GRANT SELECT, INSERT ON tasks TO app;')[0].severity, 'warning');
  });
});
