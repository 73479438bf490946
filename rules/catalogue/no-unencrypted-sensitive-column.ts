import { defineRule, type Fix, type Report, type SetContext } from '../engine/types';
import type { ColumnModel, TableModel, TypeRef } from '../model/types';
import { nameWords } from '../project/names';
import { remembered, rememberedForList } from '../model/remember';
import { columnTypeSpan, findColumnDef, insertAfterStatement, quoteIdent, tableLabel, tableSql, typeSql } from './util';
import { skipTrivia } from '../parser/lexer';
import { pushTo } from '../model/group';

type Kind = 'password' | 'credential' | 'government-id' | 'card' | 'cvv' | 'bank' | 'birth' | 'health' | 'configured';

interface Pattern {
  words: string[];
  kind: Kind;
  /** The name must be exactly these words (plus value words such as `number`): `pan` alone, not `pan_zoom`. */
  whole?: boolean;
}

const p = (kind: Kind, ...names: string[]): Pattern[] => names.map((n) => ({ words: n.split('_'), kind }));

// Names as `_`-separated words; a match must end the name, or be followed only by VALUE_WORDS.
const PATTERNS: Pattern[] = [
  ...p('password', 'password', 'passwd', 'pwd', 'passphrase', 'passcode'),
  ...p('credential', 'secret', 'api_key', 'apikey', 'secret_key', 'private_key', 'signing_key', 'encryption_key', 'master_key',
    'token', 'recovery_codes', 'backup_codes', 'recovery_code', 'backup_code'),
  ...p('government-id', 'ssn', 'social_security', 'tax_id', 'taxpayer_id', 'tax_identification', 'national_id', 'national_insurance',
    'nino', 'passport', 'drivers_license', 'driver_license', 'driving_license', 'drivers_licence', 'driver_licence', 'driving_licence'),
  ...p('card', 'card_number', 'credit_card', 'debit_card', 'cc_number', 'card_pan'),
  { words: ['pan'], kind: 'card', whole: true },
  ...p('cvv', 'cvv', 'cvv2', 'cvc', 'cvc2', 'card_verification', 'card_security_code'),
  ...p('bank', 'iban', 'account_number', 'bank_account', 'routing_number', 'sort_code'),
  ...p('birth', 'date_of_birth', 'dob', 'birth_date', 'birthdate', 'birthday'),
  ...p('health', 'medical_record', 'mrn', 'health_record'),
];

/** Words that may follow a match and still name the value itself: `passport_number`, `password_plain`. */
const VALUE_WORDS = new Set(['number', 'numbers', 'no', 'num', 'nr', 'value', 'val', 'plain', 'plaintext', 'cleartext', 'raw', 'text', 'str', 'string', 'data']);

/** Words anywhere in the name that say the value is protected or is not the secret itself. */
const PROTECTED_WORDS = new Set([
  'hash', 'hashed', 'hashes', 'digest', 'encrypted', 'enc', 'encr', 'crypted', 'ciphertext', 'cipher', 'bcrypt', 'scrypt',
  'argon2', 'pbkdf2', 'sha1', 'sha256', 'sha512', 'md5', 'hmac', 'last4', 'last', 'masked', 'mask', 'redacted',
  'fingerprint', 'hint', 'tokenized', 'kms', 'vault',
  // A copy made for display, not the secret: display_secret_key, obfuscatedToken, key_preview, token_prefix.
  'display', 'obfuscated', 'preview', 'prefix', 'suffix', 'truncated', 'partial', 'first4', 'first6', 'lastfour',
  // Public halves of key pairs and publishable keys: public_key, pkApiKey, publishable_key.
  'public', 'publishable', 'pk',
]);

/**
 * Words of PROTECTED_WORDS that name another value, not the protected form of this one: a copy for display beside
 * the secret (`token_prefix`), or the public half of a pair (`pkApiKey` beside `apiKey` is the publishable key, and
 * says nothing about how `apiKey` is stored).
 */
const OTHER_VALUE_WORDS = new Set(['display', 'preview', 'prefix', 'suffix', 'last4', 'last', 'lastfour', 'masked', 'mask', 'obfuscated', 'truncated', 'partial', 'first4', 'first6', 'hint', 'public', 'publishable', 'pk']);

/** `<word>_token` that is an address or a cursor, not a credential. */
const NON_SECRET_TOKEN_PREFIX = new Set([
  'push', 'device', 'fcm', 'apns', 'expo', 'gcm', 'notification', 'registration', 'page', 'pagination', 'next', 'prev',
  'previous', 'cursor', 'continuation', 'sync', 'idempotency', 'csrf',
]);


function indexOfWords(words: readonly string[], pattern: readonly string[], from = 0): number {
  outer: for (let i = from; i + pattern.length <= words.length; i++) {
    for (let j = 0; j < pattern.length; j++) if (words[i + j] !== pattern[j]) continue outer;
    return i;
  }
  return -1;
}

/** What kind of sensitive data a column name announces, if any. Exported for tests. */
export function classifyColumn(name: string, config: { include: string[]; exclude: string[] }, table?: TableModel): Kind | undefined {
  if (config.exclude.length) {
    const lower = name.toLowerCase();
    const qualified = table ? [`${table.name}.${name}`, `${table.schema}.${table.name}.${name}`].map((s) => s.toLowerCase()) : [];
    if (config.exclude.some((e) => { const x = e.toLowerCase(); return x === lower || qualified.includes(x); })) return undefined;
  }
  return classifierFor(config.include)(name) ?? undefined;
}

// What a name announces depends on the name and the configured words alone: asked once per name (a model has
// thousands of columns and few distinct names).
const classifierFor = rememberedForList((include: readonly string[]) => remembered((name): Kind | null => classifyName(name, include) ?? null));

function classifyName(name: string, include: readonly string[]): Kind | undefined {
  const words = nameWords(name);
  if (words.some((w) => PROTECTED_WORDS.has(w))) return undefined;
  for (const entry of include) {
    const re = /^\/(.*)\/([a-z]*)$/.exec(entry);
    if (re) {
      if (new RegExp(re[1], re[2].includes('i') ? re[2] : `${re[2]}i`).test(name)) return 'configured';
    } else if (indexOfWords(words, nameWords(entry)) >= 0) return 'configured';
  }
  for (const pat of PATTERNS) {
    for (let i = indexOfWords(words, pat.words); i >= 0; i = indexOfWords(words, pat.words, i + 1)) {
      const after = words.slice(i + pat.words.length);
      if (!after.every((w) => VALUE_WORDS.has(w))) continue;
      if (pat.whole && i > 0) continue;
      if (pat.words[0] === 'token' && i > 0 && NON_SECRET_TOKEN_PREFIX.has(words[i - 1])) continue;
      return pat.kind;
    }
  }
  return undefined;
}

const WHAT: Record<Kind, string> = {
  password: 'a password',
  credential: 'a secret credential (an API key, token, secret or private key)',
  'government-id': "a government ID number (SSN, tax or national ID, passport or driver's license)",
  card: 'a payment card number',
  cvv: 'a card verification code (CVV/CVC)',
  bank: 'a bank account number',
  birth: 'a date of birth',
  health: 'health data (a medical record)',
  configured: 'data configured as sensitive (sensitiveColumns.include)',
};

/** What to make sure of, once the reader has checked that the column is not already protected by the application. */
const ADVICE: Record<Kind, string> = {
  password: "It must hold only a slow salted hash (bcrypt or argon2 in the application, or crypt(password, gen_salt('bf')) from pgcrypto), never the password; a name such as password_hash says so",
  credential: "If it is only compared, store a hash (sha256 of the token, in a *_hash column) and look up by the hash; if it must be used (an API key for an outbound call, a provider's refresh token), encrypt it (pgcrypto pgp_sym_encrypt into bytea, or in the application with the key outside the database) or keep it in a vault and store the reference",
  'government-id': 'Encrypt it (pgcrypto pgp_sym_encrypt into bytea, key outside the database), store a keyed hash if you only need lookups, or keep it in a vault and store the reference; keep a *_last4 column for display',
  card: "Do not store card numbers: keep the payment provider's token and a *_last4 column; if you must, encrypt them under PCI DSS",
  cvv: 'PCI DSS forbids storing CVV/CVC after authorisation: drop the column, or at least encrypt it until it is discarded',
  bank: 'Encrypt it (pgcrypto pgp_sym_encrypt into bytea) or keep it with the payment provider or a vault and store the reference; keep a *_last4 column for display',
  birth: 'Encrypt it (pgcrypto pgp_sym_encrypt into bytea), or store only what you need (a birth year, an is_adult flag)',
  health: 'Encrypt it (pgcrypto pgp_sym_encrypt into bytea) or keep it in a vault and store the reference',
  configured: 'Encrypt it (pgcrypto pgp_sym_encrypt into bytea), store a hash for lookups, or keep it in a vault/KMS and store the reference',
};

const messages = {
  column: 'Column {{columns}} looks like {{what}}, and nothing in the schema shows it is hashed or encrypted (type {{types}}, no comment or companion column saying so): make sure it is, since anyone who can read the table, a backup, a replica or a log of it can read it. {{advice}}. If the application already protects it, say so with a COMMENT ON COLUMN.',
  columns: 'Columns {{columns}} look like {{what}}, and nothing in the schema shows they are hashed or encrypted (type {{types}}, no comment or companion column saying so): make sure they are, since anyone who can read the table, a backup, a replica or a log of it can read them. {{advice}}. If the application already protects them, say so with a COMMENT ON COLUMN.',
};

/** Kinds whose value must be read back, so encryption into bytea is the remedy (passwords and tokens are hashed instead). */
const ENCRYPT_KINDS = new Set<Kind>(['government-id', 'card', 'cvv', 'bank', 'birth', 'health', 'configured']);

export function commentSaysProtected(c: Pick<ColumnModel, 'comment'>): boolean {
  return saysProtected(c.comment ?? '');
}

/** Words of a comment saying the value is protected, unless it says the opposite (`TODO: encrypt`, `not hashed`). */
function saysProtected(comment: string): boolean {
  return /\b(encrypt|encrypted|cipher|ciphertext|hash|hashed|digest|vault|kms|pgp_sym|bcrypt|argon2|masked|obfuscated)/i.test(comment)
    && !/\b(not|never|todo|fixme|should|must|unencrypted|unhashed)\b/i.test(comment);
}

/**
 * The comments written at a column's definition in the statement that created it: at the end of its line (after its
 * comma) and on the comment lines right above it. `client_secret text not null, -- Encrypted at application level`.
 */
export function definitionComments(ctx: Pick<SetContext, 'statementAt' | 'fileText'>, col: ColumnModel): string[] {
  const def = findColumnDef(ctx.statementAt(col.origin), col.name);
  const text = def?.span ? ctx.fileText(col.origin.file) : undefined;
  if (!def?.span || text === undefined) return [];
  const out: string[] = [];
  let i = def.span.end;
  while (text[i] === ' ' || text[i] === '\t') i++;
  if (text[i] === ',' || text[i] === ';') i++;
  for (const c of skipTrivia(text, i).comments) {
    if (text.slice(def.span.end, c.start).includes('\n')) break;
    out.push(commentBody(c.text));
  }
  // Lines above, while they hold only a `--` comment.
  let lineStart = text.lastIndexOf('\n', def.span.start - 1) + 1;
  if (text.slice(lineStart, def.span.start).trim() !== '') return out;
  while (lineStart > 0) {
    const prev = text.lastIndexOf('\n', lineStart - 2) + 1;
    const line = text.slice(prev, lineStart - 1).trim();
    if (!line.startsWith('--')) break;
    out.push(commentBody(line));
    lineStart = prev;
  }
  return out;
}

const commentBody = (c: string) => c.replace(/^--+|^\/\*+|\*+\/$/g, '').trim();

// Columns that an application-side encryption scheme keeps next to its ciphertext.
const ENCRYPTION_SIBLINGS = new Set(['iv', 'nonce', 'salt', 'tag', 'authtag', 'keyid', 'kmskeyid', 'encryptionkeyid', 'keyversion', 'encryptionkeyversion', 'dek', 'wrappedkey']);

/**
 * Evidence that a sensitive-looking column is hashed, encrypted or masked although its type is plain text: a COMMENT,
 * or a sibling column that an encryption scheme keeps (`token_iv`, `encryption_key_id`) or that holds the protected
 * form of the same value (`token_encrypted`, `hashedToken`). Undefined when there is none.
 */
export function protectionEvidence(table: TableModel, col: ColumnModel, ctx?: Pick<SetContext, 'statementAt' | 'fileText'>): string | undefined {
  if (commentSaysProtected(col)) return `its comment says "${col.comment}"`;
  const base = nameWords(col.name).filter((w) => !VALUE_WORDS.has(w));
  for (const other of table.columns.values()) {
    if (other === col) continue;
    const words = nameWords(other.name);
    const rest = words.filter((w) => !base.includes(w));
    const joined = rest.join('');
    // token_iv, tokenNonce, or a table-wide encryption_key_id.
    if (ENCRYPTION_SIBLINGS.has(joined) && (rest.length < words.length || ENCRYPTION_SIBLINGS.has(words.join('')))) return `the table keeps ${other.name}, which an encryption scheme stores beside its ciphertext`;
    // token_encrypted / hashedToken beside token: the protected form lives next to it.
    if (rest.length === 1 && PROTECTED_WORDS.has(rest[0]) && base.every((w) => words.includes(w)) && !OTHER_VALUE_WORDS.has(rest[0])) {
      return `the table also keeps ${other.name}, the ${rest[0]} form of the same value`;
    }
  }
  const written = ctx ? definitionComments(ctx, col).find(saysProtected) : undefined;
  if (written !== undefined) return `the comment at its definition says "${written}"`;
  return undefined;
}

const PLAIN_TYPES = new Set(['text', 'varchar', 'bpchar', 'citext', 'name', 'numeric', 'int2', 'int4', 'int8', 'date', 'json', 'jsonb']);

/** The column's type holds the value itself, readable (not bytea ciphertext, not a domain). */
export function storesPlainly(kind: string, type: TypeRef): boolean {
  if (type.schema && type.schema !== 'pg_catalog' && type.name !== 'citext') return false; // a domain or custom type
  if (PLAIN_TYPES.has(type.name)) return true;
  if (type.name === 'timestamp' || type.name === 'timestamptz') return kind === 'birth';
  if (type.name === 'uuid') return kind === 'credential' || kind === 'password';
  return false;
}

interface Flagged {
  table: TableModel;
  col: ColumnModel;
  kind: Kind;
}

/** The sensitive columns of the final model that nothing shows to be protected, grouped by the statement that made them. */
function flaggedColumns(ctx: SetContext): Flagged[] {
  const out: Flagged[] = [];
  for (const table of ctx.model.tables.values()) {
    if (table.temporary) continue;
    for (const col of table.columns.values()) {
      const kind = classifyColumn(col.name, ctx.config.sensitiveColumns, table);
      if (!kind || !storesPlainly(kind, col.type) || protectionEvidence(table, col, ctx)) continue;
      const stmt = ctx.statementAt(col.origin);
      const create = stmt?.actions.find((a) => a.type === 'create-table');
      // Columns copied by LIKE or from a partitioned parent are reported on their source.
      if (create && create.type === 'create-table' && (create.likeTables.length > 0 || create.partitionOf) && !create.columns.some((c) => c.name === col.name)) continue;
      out.push({ table, col, kind });
    }
  }
  return out;
}

function bytesFix(ctx: SetContext, f: Flagged): Fix | undefined {
  const { table, col } = f;
  const stmt = ctx.statementAt(col.origin);
  const def = findColumnDef(stmt, col.name);
  const text = ctx.fileText(col.origin.file);
  if (!ENCRYPT_KINDS.has(f.kind) || !stmt || !def || !text || def.type.name !== col.type.name || def.type.array !== col.type.array) return undefined;
  const typeSpan = columnTypeSpan(text, def.type.start, def.span.end, true);
  const comment = `COMMENT ON COLUMN ${tableSql(table)}.${quoteIdent(col.name)} IS 'pgcrypto ciphertext (pgp_sym_encrypt)';`;
  return {
    title: `Store ${col.name} as bytea ciphertext (pgcrypto)`,
    // The application must now write pgp_sym_encrypt(…) and read pgp_sym_decrypt(…): never applied by "fix all".
    safe: false,
    edits: [{ start: typeSpan.start, end: typeSpan.end, newText: 'bytea' }, insertAfterStatement(text, stmt, comment)],
  };
}

/** One finding per statement: the columns it declares that look sensitive, with the same kind of advice. */
function findingsFor(ctx: SetContext): Report<keyof typeof messages>[] {
  const groups = new Map<string, Flagged[]>();
  for (const f of flaggedColumns(ctx)) {
    const key = `${f.col.origin.file}\u0000${f.col.origin.span.start}\u0000${f.kind}`;
    pushTo(groups, key, f);
  }
  const reports: Report<keyof typeof messages>[] = [];
  for (const list of groups.values()) {
    const [first] = list;
    const stmt = ctx.statementAt(first.col.origin);
    const def = findColumnDef(stmt, first.col.name);
    const label = `${tableLabel(first.table)}.${first.col.name}`;
    const types = [...new Set(list.map((f) => typeSql(f.col.type)))].join(', ');
    reports.push({
      file: first.col.origin.file,
      span: def?.span ?? stmt?.span ?? first.col.origin.span,
      messageId: list.length === 1 ? 'column' : 'columns',
      data: {
        columns: list.length === 1 ? label : `${tableLabel(first.table)}.${list.map((f) => f.col.name).join(', ')}`,
        kind: first.kind, what: WHAT[first.kind], types, advice: ADVICE[first.kind],
      },
      related: list.slice(1).map((f) => ({ file: f.col.origin.file, span: findColumnDef(stmt, f.col.name)?.span ?? f.col.origin.span, message: `${f.col.name} (${typeSql(f.col.type)})` })),
      fixes: list.map((f) => bytesFix(ctx, f)).filter((x): x is Fix => x !== undefined),
    });
  }
  return reports;
}

export const noUnencryptedSensitiveColumn = defineRule({
  id: 'no-unencrypted-sensitive-column',
  category: 'security',
  defaultSeverity: 'warning',
  fixable: true,
  title: 'Do not store secrets and personal data in plain text',
  messages,
  rationale:
    'Passwords, API keys and tokens, government ID numbers, card and bank account numbers, dates of birth and medical records stored as plain text are exposed to everyone who can read the table, and to every backup, replica, dump and log that contains it; a single leak then reveals all of them at once. Store a hash of what you only need to verify, encrypt what you must read back (pgcrypto into bytea, with the key outside the database), or keep it in a vault and store only a reference.',
  docs: {
    bad: 'CREATE TABLE customers (id bigint PRIMARY KEY, name text, ssn text);',
    good: "CREATE TABLE customers (id bigint PRIMARY KEY, name text, ssn bytea, ssn_last4 text);\nCOMMENT ON COLUMN customers.ssn IS 'pgcrypto ciphertext (pgp_sym_encrypt)';",
    details: [
      'Columns are recognised by name, word by word (words are separated by `_` or a change of case): `ssn`, `social_security_number`, `tax_id`, `national_id`, `passport_number`, `drivers_license`, `card_number`, `credit_card`, `pan`, `cvv`/`cvc`, `iban`, `account_number`, `routing_number`, `api_key`, `secret`, `client_secret`, `token`, `access_token`, `refresh_token`, `private_key`, `password`/`passwd`/`pwd`, `date_of_birth`/`dob`/`birth_date`, `medical_record`. The match must end the name or be followed only by words like `number`, `no`, `value`, `plain`: `token_count`, `token_type`, `token_expires_at`, `api_key_id`, `password_changed_at` and `secret_santa` are not flagged. Names containing `hash`, `hashed`, `digest`, `encrypted`, `enc`, `ciphertext`, `last4`/`last_four`, `masked`, `fingerprint` or `vault` are not flagged, and neither are `push_token`, `device_token` or `next_page_token` (addresses and cursors, not credentials).',
      'Only plain storage types are flagged: text, varchar, char, citext, numeric, integer types, date, json and jsonb (plus timestamps for dates of birth and uuid for credentials). `bytea` (pgcrypto output), booleans and custom types or domains are not. A column whose COMMENT says it is encrypted, hashed or kept in a vault is not flagged either, nor one whose definition carries such a comment at the end of its line or on the comment lines right above it (`client_secret text NOT NULL, -- encrypted at application level`); a comment that says the opposite (`not`, `never`, `TODO`, `should`, `must`, `unencrypted`) does not count.',
      'Configure with `sensitiveColumns.include` and `.exclude` in `.sqlarchitect.json`. An `include` entry is a name pattern matched word by word anywhere in the column name (`salary` flags `salary` and `base_salary`, not `salaryband`), or a regular expression written between slashes (`"/^emp_.*_note$/"`), matched case-insensitively against the whole column name. An `exclude` entry is a column name, `table.column` or `schema.table.column`, compared case-insensitively, and is never flagged.',
      'The fix changes the type to bytea and records the intent with COMMENT ON COLUMN; the application must then write `pgp_sym_encrypt(value, key)` and read `pgp_sym_decrypt(column, key)`, so the fix is never applied by "fix all".',
    ].join('\n\n'),
  },
  checkSet(ctx) {
    return findingsFor(ctx);
  },
});
