import { ruleTester } from '../testing/tester';
import { noPublicGrant } from './no-public-grant';

const T = 'CREATE TABLE invoices (id bigint PRIMARY KEY, total numeric);\n';

ruleTester(noPublicGrant, {
  valid: [
    `${T}GRANT SELECT ON invoices TO app_reader;`,
    `${T}REVOKE ALL ON invoices FROM PUBLIC;`,
    // Revoked in a later migration.
    { sql: { 'db/001.sql': `${T}GRANT SELECT ON invoices TO PUBLIC;`, 'db/002.sql': 'REVOKE SELECT ON invoices FROM PUBLIC;' } },
    // Functions and sequences are not tables.
    'CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$; GRANT EXECUTE ON FUNCTION f() TO PUBLIC;',
  ],
  invalid: [
    {
      sql: `${T}GRANT SELECT ON invoices TO PUBLIC;`,
      errors: [{ line: 2, column: 1, message: /GRANT SELECT to PUBLIC on invoices: every role in the cluster.*can read this table \(and invoices has no row-level security.*REVOKE SELECT ON invoices FROM PUBLIC/ }],
    },
    {
      // One finding per statement, listing every table; ALL TABLES IN SCHEMA; writes.
      sql: 'CREATE TABLE a (id int);\nCREATE TABLE b (id int);\nALTER TABLE b ENABLE ROW LEVEL SECURITY;\nGRANT INSERT, UPDATE ON ALL TABLES IN SCHEMA public TO PUBLIC, app;',
      errors: [{ line: 4, column: 1, message: /GRANT INSERT, UPDATE to PUBLIC on a, b: .*read or change these tables \(and a has no row-level security/ }],
    },
    {
      // Non-ASCII table names, grant in a later migration.
      sql: {
        'db/001.sql': 'CREATE TABLE "Kunden_Übersicht" (id int);',
        'db/002.sql': '-- Für alle 🌍\nGRANT ALL ON "Kunden_Übersicht" TO public;',
      },
      errors: [{ file: 'db/002.sql', line: 2, column: 1, message: /ALL to PUBLIC on Kunden_Übersicht.*REVOKE ALL ON "Kunden_Übersicht" FROM PUBLIC/ }],
    },
  ],
});
