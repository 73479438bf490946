CREATE TABLE users (
  id          serial PRIMARY KEY,
  tenant_id   uuid REFERENCES tenants (id),
  email       text NOT NULL UNIQUE,
  password    text NOT NULL,
  ssn         varchar(11),
  api_token   text,
  created_at  timestamptz NOT NULL DEFAULT now()
);
