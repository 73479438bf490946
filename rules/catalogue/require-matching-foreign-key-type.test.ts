import { ruleTester } from '../testing/tester';
import { requireMatchingForeignKeyType } from './require-matching-foreign-key-type';

const customers = 'CREATE TABLE customers (id bigint PRIMARY KEY, code varchar(20) UNIQUE, email text UNIQUE);\n';

ruleTester(requireMatchingForeignKeyType, {
  valid: [
    `${customers}CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint REFERENCES customers);`,
    // Wider than the referenced column is harmless.
    'CREATE TABLE tags (id integer PRIMARY KEY);\nCREATE TABLE post_tags (tag_id bigint REFERENCES tags, post_id bigint, PRIMARY KEY (tag_id, post_id));',
    `${customers}CREATE TABLE orders (id bigint PRIMARY KEY, customer_code varchar(20) REFERENCES customers (code));`,
    `${customers}CREATE TABLE orders (id bigint PRIMARY KEY, customer_email text REFERENCES customers (email));`,
    'CREATE TABLE accounts (id serial PRIMARY KEY);\nCREATE TABLE logins (id bigint PRIMARY KEY, account_id integer REFERENCES accounts);',
    // Widened by a later migration.
    {
      sql: {
        'db/001_init.sql': `${customers}CREATE TABLE orders (id bigint PRIMARY KEY, customer_id int REFERENCES customers);`,
        'db/002_widen.sql': 'ALTER TABLE orders ALTER COLUMN customer_id TYPE bigint;',
      },
    },
  ],
  invalid: [
    {
      sql: `${customers}CREATE TABLE orders (\n  id bigint PRIMARY KEY,\n  customer_id integer NOT NULL REFERENCES customers (id)\n);`,
      errors: [{ line: 4, column: 32, messageId: 'narrower', data: { column: 'orders.customer_id', type: 'integer', referenced: 'customers.id', referencedType: 'bigint', wider: 'bigint' }, message: /^Foreign key column orders\.customer_id is integer but references customers\.id, which is bigint: once the referenced values pass 2,147,483,647, rows that reference them cannot be inserted \("integer out of range"\)\. Make orders\.customer_id bigint\.$/ }],
      output: `${customers}CREATE TABLE orders (\n  id bigint PRIMARY KEY,\n  customer_id bigint NOT NULL REFERENCES customers (id)\n);`,
    },
    {
      sql: `${customers}CREATE TABLE orders (id bigint PRIMARY KEY, customer_email varchar(100) REFERENCES customers (email));`,
      errors: [{ line: 2, column: 73, messageId: 'narrower', data: { type: 'varchar(100)', referenced: 'customers.email', referencedType: 'text', reason: 'a referenced value longer than 100 characters cannot be stored in it', wider: 'text' } }],
      output: `${customers}CREATE TABLE orders (id bigint PRIMARY KEY, customer_email text REFERENCES customers (email));`,
    },
    {
      // The column and the foreign key are in different migrations: the fix edits the column where it is written.
      sql: {
        'db/001_init.sql': '-- Kunden 👥\nCREATE TABLE "Kunde" ("Kennung" bigserial PRIMARY KEY);\nCREATE TABLE "Auftrag" (id bigint PRIMARY KEY, "Kunde_Kennung" smallint);',
        'db/002_fk.sql': 'ALTER TABLE "Auftrag" ADD CONSTRAINT "auftrag_kunde_fk" FOREIGN KEY ("Kunde_Kennung") REFERENCES "Kunde";',
      },
      errors: [{ file: 'db/002_fk.sql', line: 1, column: 27, messageId: 'narrower', data: { column: 'Auftrag.Kunde_Kennung', type: 'smallint', referenced: 'Kunde.Kennung', referencedType: 'bigserial', wider: 'bigint' }, message: /Auftrag\.Kunde_Kennung is smallint but references Kunde\.Kennung, which is bigserial: once the referenced values pass 32,767.*\("smallint out of range"\)\. Make Auftrag\.Kunde_Kennung bigint/ }],
      outputFiles: { 'db/001_init.sql': '-- Kunden 👥\nCREATE TABLE "Kunde" ("Kennung" bigserial PRIMARY KEY);\nCREATE TABLE "Auftrag" (id bigint PRIMARY KEY, "Kunde_Kennung" bigint);' },
    },
    {
      // Composite keys are compared column by column.
      sql: 'CREATE TABLE p (a bigint, b varchar(50), PRIMARY KEY (a, b));\nCREATE TABLE c (id bigint PRIMARY KEY, a bigint, b varchar(10), FOREIGN KEY (a, b) REFERENCES p);',
      errors: [{ line: 2, column: 65, messageId: 'narrower', data: { column: 'c.b', type: 'varchar(10)', referenced: 'p.b', referencedType: 'varchar(50)', wider: 'varchar(50)' } }],
      output: 'CREATE TABLE p (a bigint, b varchar(50), PRIMARY KEY (a, b));\nCREATE TABLE c (id bigint PRIMARY KEY, a bigint, b varchar(50), FOREIGN KEY (a, b) REFERENCES p);',
    },
  ],
});
