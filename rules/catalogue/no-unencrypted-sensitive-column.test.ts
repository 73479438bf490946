import assert from 'node:assert/strict';
import { before, describe, it } from 'mocha';
import { initParser } from '../parser/adapter';
import { ruleTester, runCase } from '../testing/tester';
import { classifyColumn, noUnencryptedSensitiveColumn } from './no-unencrypted-sensitive-column';

const NONE = { include: [], exclude: [] };

describe('no-unencrypted-sensitive-column advice', () => {
  before(() => initParser());
  it('never tells a password or a token to become bytea, and groups the columns of one statement', () => {
    const r = runCase({ 'db/001.sql': 'CREATE TABLE users (id bigint PRIMARY KEY, password text, confirmation_token varchar(255), recovery_token varchar(255));' });
    const mine = r.findings.filter((f) => f.rule === noUnencryptedSensitiveColumn.id);
    assert.equal(mine.length, 2, mine.map((f) => f.message).join('\n'));
    assert.deepEqual(mine.map((f) => f.fixes.length), [0, 0]);
    assert.match(mine[1].message, /Columns users\.confirmation_token, recovery_token look like a secret credential.*store a hash/);
    assert.equal(mine[1].related.length, 1);
  });
});

describe('no-unencrypted-sensitive-column names', () => {
  const flagged: [string, string][] = [
    ['ssn', 'government-id'], ['social_security_number', 'government-id'], ['customer_ssn', 'government-id'], ['tax_id', 'government-id'],
    ['national_id_number', 'government-id'], ['passport_no', 'government-id'], ['drivers_license', 'government-id'],
    ['card_number', 'card'], ['creditCardNumber', 'card'], ['pan', 'card'], ['cvv', 'cvv'], ['card_cvc', 'cvv'],
    ['iban', 'bank'], ['bank_account_number', 'bank'], ['routing_number', 'bank'],
    ['api_key', 'credential'], ['stripeApiKey', 'credential'], ['client_secret', 'credential'], ['secret', 'credential'],
    ['access_token', 'credential'], ['refresh_token', 'credential'], ['github_access_token', 'credential'], ['token', 'credential'],
    ['invite_token', 'credential'], ['private_key', 'credential'], ['password', 'password'], ['passwd', 'password'], ['pwd', 'password'],
    ['password_plain', 'password'], ['date_of_birth', 'birth'], ['dob', 'birth'], ['birth_date', 'birth'], ['medical_record_number', 'health'],
  ];
  for (const [name, kind] of flagged) it(`flags ${name} as ${kind}`, () => assert.equal(classifyColumn(name, NONE), kind));
  const clean = [
    'token_count', 'tokens_used', 'token_type', 'token_expires_at', 'api_key_id', 'vault_secret_id', 'secret_santa', 'secret_name',
    'password_hash', 'password_changed_at', 'hashed_password', 'encrypted_password', 'password_digest', 'ssn_encrypted', 'ssn_enc',
    'ssn_last4', 'card_last_four', 'card_fingerprint', 'iban_masked', 'push_token', 'device_token', 'next_page_token', 'pan_zoom',
    'company_pan', 'anon_key', 'account_id', 'min_password_length', 'birth_year', 'panel', 'spanish', 'dobby', 'tokenizer',
  ];
  for (const name of clean) it(`does not flag ${name}`, () => assert.equal(classifyColumn(name, NONE), undefined));
  it('takes include patterns as words or /regex/, and exclude names', () => {
    const cfg = { include: ['salary', '/^emp_.*_note$/'], exclude: ['legacy_password', 'users.ssn'] };
    assert.equal(classifyColumn('base_salary', cfg), 'configured');
    assert.equal(classifyColumn('salaryband', cfg), undefined);
    assert.equal(classifyColumn('EMP_review_NOTE', cfg), 'configured');
    assert.equal(classifyColumn('legacy_password', cfg), undefined);
    assert.equal(classifyColumn('salary_hash', cfg), undefined);
  });
});

ruleTester(noUnencryptedSensitiveColumn, {
  valid: [
    'CREATE TABLE customers (id bigint PRIMARY KEY, ssn bytea, ssn_last4 text, password_hash text, api_key_id uuid);',
    'CREATE TABLE users (id bigint PRIMARY KEY, has_password boolean, token_count int, token_expires_at timestamptz);',
    // A domain or custom type is the user's own encoding.
    'CREATE DOMAIN ciphertext AS bytea; CREATE TABLE customers (id bigint PRIMARY KEY, ssn ciphertext);',
    // A comment that says how it is protected.
    "CREATE TABLE customers (id bigint PRIMARY KEY, ssn text); COMMENT ON COLUMN customers.ssn IS 'AES-GCM ciphertext, encrypted by the app (base64)';",
    // Converted to bytea in a later migration, or dropped.
    {
      sql: {
        'db/001.sql': 'CREATE TABLE customers (id bigint PRIMARY KEY, ssn text, api_key text);',
        'db/002.sql': "ALTER TABLE customers ALTER COLUMN ssn TYPE bytea USING pgp_sym_encrypt(ssn, 'k'); ALTER TABLE customers DROP COLUMN api_key;",
      },
    },
    // Evidence of hashing, encryption or masking: names, a companion column of an encryption scheme, the hashed form beside it.
    'CREATE TABLE api_keys (id bigint PRIMARY KEY, display_secret_key text, key_preview text, masked_iban text, "obfuscatedToken" text, token_prefix text, "pkApiKey" text, public_key text);',
    'CREATE TABLE integrations (id bigint PRIMARY KEY, "tokenValue" text, "tokenIv" text, "tokenAuthTag" text);',
    'CREATE TABLE vault (id bigint PRIMARY KEY, secret text, encryption_key_id uuid);',
    'CREATE TABLE sessions (id bigint PRIMARY KEY, token text, token_hash text);',
    "CREATE TABLE users (id bigint PRIMARY KEY, password text); COMMENT ON COLUMN users.password IS 'bcrypt hash';",
    // A comment written at the definition: at the end of its line (after the comma, or the statement), or right above it.
    'CREATE TABLE providers (\n  id bigint PRIMARY KEY,\n  client_secret text not null, -- Encrypted at application level\n  name text\n);',
    'CREATE TABLE providers (\n  id bigint PRIMARY KEY,\n  client_secret text /* AES-GCM ciphertext */\n);',
    'CREATE TABLE people (\n  id bigint PRIMARY KEY,\n  -- AES-GCM ciphertext,\n  -- the key lives in KMS\n  ssn text\n);',
    {
      sql: {
        'db/001.sql': 'CREATE TABLE keys (id bigint PRIMARY KEY);',
        'db/002.sql': 'ALTER TABLE keys ADD COLUMN api_key text; -- sha256 hash of the key',
      },
    },
    // Excluded by configuration (column name or table.column).
    { sql: 'CREATE TABLE users (id bigint PRIMARY KEY, password text);', config: { sensitiveColumns: { include: [], exclude: ['users.password'] } } },
  ],
  invalid: [
    {
      // A publishable key beside the secret one is another key, not its protected form (trigger.dev's RuntimeEnvironment).
      sql: 'CREATE TABLE "RuntimeEnvironment" (id text PRIMARY KEY, "apiKey" TEXT NOT NULL, "pkApiKey" TEXT NOT NULL, public_api_key text);',
      errors: [{ line: 1, column: 57, messageId: 'column', data: { columns: 'RuntimeEnvironment.apiKey', kind: 'credential' }, output: null }],
    },
    {
      // The comment of the next column's line, one that says the opposite, and one above a column between them do not count.
      sql: 'CREATE TABLE people (\n  id bigint PRIMARY KEY,\n  ssn text,\n  note text, -- encrypted\n  api_key text, -- TODO: encrypt this\n  -- hashed\n  name text,\n  secret text\n);',
      errors: [
        { line: 3, column: 3, messageId: 'column', data: { columns: 'people.ssn', kind: 'government-id' }, output: 'CREATE TABLE people (\n  id bigint PRIMARY KEY,\n  ssn bytea,\n  note text, -- encrypted\n  api_key text, -- TODO: encrypt this\n  -- hashed\n  name text,\n  secret text\n);\n\nCOMMENT ON COLUMN people.ssn IS \'pgcrypto ciphertext (pgp_sym_encrypt)\';' },
        { line: 5, column: 3, messageId: 'columns', data: { columns: 'people.api_key, secret', kind: 'credential' }, output: null },
      ],
    },
    {
      sql: 'CREATE TABLE customers (id bigint PRIMARY KEY, name text, ssn text);',
      errors: [{ line: 1, column: 59, messageId: 'column', data: { columns: 'customers.ssn', kind: 'government-id', types: 'text' }, message: /customers\.ssn looks like a government ID number.*nothing in the schema shows it is hashed or encrypted \(type text.*make sure it is.*pgp_sym_encrypt into bytea/ }],
      output: "CREATE TABLE customers (id bigint PRIMARY KEY, name text, ssn bytea);\n\nCOMMENT ON COLUMN customers.ssn IS 'pgcrypto ciphertext (pgp_sym_encrypt)';",
    },
    {
      // Multi-word types, COLLATE, arrays and constraints after the type; one finding per kind; a password is never told to become bytea.
      sql: 'CREATE TABLE accounts (\n  id bigint PRIMARY KEY,\n  password character varying(255) COLLATE "C" NOT NULL,\n  recovery_codes text[] DEFAULT \'{}\',\n  date_of_birth timestamp without time zone\n);',
      errors: [
        { line: 3, column: 3, messageId: 'column', data: { columns: 'accounts.password', kind: 'password', types: 'varchar(255)' } },
        { line: 4, column: 3, messageId: 'column', data: { columns: 'accounts.recovery_codes', kind: 'credential', types: 'text[]' } },
        { line: 5, column: 3, messageId: 'column', data: { columns: 'accounts.date_of_birth', kind: 'birth' }, output: 'CREATE TABLE accounts (\n  id bigint PRIMARY KEY,\n  password character varying(255) COLLATE "C" NOT NULL,\n  recovery_codes text[] DEFAULT \'{}\',\n  date_of_birth bytea\n);\n\nCOMMENT ON COLUMN accounts.date_of_birth IS \'pgcrypto ciphertext (pgp_sym_encrypt)\';' },
      ],
      // The password gets no fix (a hash, not ciphertext); the date of birth gets the bytea fix.
    },
    {
      // ADD COLUMN in a later migration; non-ASCII table name and comment before it.
      sql: {
        'db/001.sql': 'CREATE TABLE "Zahlungsmittel" (id bigint PRIMARY KEY);',
        'db/002.sql': '-- Kartennummer für Rückerstattungen 💳\nALTER TABLE "Zahlungsmittel" ADD COLUMN card_number varchar(19);',
      },
      errors: [{ file: 'db/002.sql', line: 2, column: 41, messageId: 'column', data: { columns: 'Zahlungsmittel.card_number', kind: 'card' } }],
      output: '-- Kartennummer für Rückerstattungen 💳\nALTER TABLE "Zahlungsmittel" ADD COLUMN card_number bytea;\n\nCOMMENT ON COLUMN "Zahlungsmittel".card_number IS \'pgcrypto ciphertext (pgp_sym_encrypt)\';',
    },
    {
      // Configured pattern; the type was changed away from bytea later, so no fix on the CREATE.
      sql: 'CREATE TABLE staff (id int PRIMARY KEY, base_salary bytea);\nALTER TABLE staff ALTER COLUMN base_salary TYPE numeric(12, 2);',
      config: { sensitiveColumns: { include: ['salary'], exclude: [] } },
      errors: [{ line: 1, column: 41, messageId: 'column', data: { columns: 'staff.base_salary', kind: 'configured' } }],
      output: null,
    },
  ],
});
