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
      errors: [{ line: 2, column: 1, messageId: 'publicGrant', data: { privileges: 'SELECT', tables: 'invoices', access: 'read', these: 'this table', noRls: ' (and invoices has no row-level security to narrow it)', tablesSql: 'invoices' } }],
    },
    {
      // One finding per statement, listing every table; ALL TABLES IN SCHEMA; writes.
      sql: 'CREATE TABLE a (id int);\nCREATE TABLE b (id int);\nALTER TABLE b ENABLE ROW LEVEL SECURITY;\nGRANT INSERT, UPDATE ON ALL TABLES IN SCHEMA public TO PUBLIC, app;',
      errors: [{ line: 4, column: 1, messageId: 'publicGrant', data: { privileges: 'INSERT, UPDATE', tables: 'a, b', access: 'read or change', these: 'these tables', noRls: ' (and a has no row-level security to narrow it)', tablesSql: 'a, b' } }],
    },
    {
      // Non-ASCII table names, grant in a later migration.
      sql: {
        'db/001.sql': 'CREATE TABLE "Kunden_Übersicht" (id int);',
        'db/002.sql': '-- Für alle 🌍\nGRANT ALL ON "Kunden_Übersicht" TO public;',
      },
      errors: [{ file: 'db/002.sql', line: 2, column: 1, messageId: 'publicGrant', data: { privileges: 'ALL', tables: 'Kunden_Übersicht', tablesSql: '"Kunden_Übersicht"' } }],
    },
  ],
});
