CREATE TABLE projects (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  tenant_id   uuid NOT NULL REFERENCES tenants (id),
  name        text NOT NULL,
  created_at  timestamp NOT NULL DEFAULT now()
);

CREATE INDEX projects_tenant_id_idx ON projects (tenant_id);
