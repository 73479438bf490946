-- Production already has millions of users by now.
CREATE INDEX users_created_at_idx ON users (created_at);
ALTER TABLE users ADD COLUMN status text NOT NULL DEFAULT 'active';
ALTER TABLE users ADD CONSTRAINT users_project_fk FOREIGN KEY (tenant_id) REFERENCES tenants (id);
ALTER TABLE users ALTER COLUMN email TYPE varchar(200);
ALTER TABLE projects ALTER COLUMN name SET NOT NULL;
