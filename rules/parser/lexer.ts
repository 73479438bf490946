// A small SQL lexer for the places the real parser cannot help: splitting a file that does not parse as a
// whole, finding the comments before a statement, and the end of a list element. It never throws: an
// unterminated string, quoted identifier, comment or dollar quote runs to the end of the text.
import type { PolicyCall, Span } from '../model/types';

const enum Ch {
  Dash = 45, Slash = 47, Star = 42, Quote = 39, DQuote = 34, Dollar = 36, Semi = 59,
  LParen = 40, RParen = 41, Comma = 44, Backslash = 92, Newline = 10,
}

function isIdentChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c > 127;
}

/** End (exclusive) of the token that starts at `i`, or `i + 1` for punctuation. */
export function skipToken(text: string, i: number): number {
  const c = text.charCodeAt(i);
  const n = text.charCodeAt(i + 1);
  if (c === Ch.Dash && n === Ch.Dash) {
    const nl = text.indexOf('\n', i);
    return nl < 0 ? text.length : nl;
  }
  if (c === Ch.Slash && n === Ch.Star) {
    // PostgreSQL block comments nest.
    let depth = 1;
    let j = i + 2;
    while (j < text.length && depth > 0) {
      if (text.charCodeAt(j) === Ch.Slash && text.charCodeAt(j + 1) === Ch.Star) { depth++; j += 2; }
      else if (text.charCodeAt(j) === Ch.Star && text.charCodeAt(j + 1) === Ch.Slash) { depth--; j += 2; }
      else j++;
    }
    return j;
  }
  if (c === Ch.Quote) {
    // E'…' strings allow backslash escapes; the caller passes the index of the quote.
    const escaped = i > 0 && (text[i - 1] === 'E' || text[i - 1] === 'e') && (i < 2 || !isIdentChar(text.charCodeAt(i - 2)));
    let j = i + 1;
    while (j < text.length) {
      const d = text.charCodeAt(j);
      if (escaped && d === Ch.Backslash) { j += 2; continue; }
      if (d === Ch.Quote) {
        if (text.charCodeAt(j + 1) === Ch.Quote) { j += 2; continue; }
        return j + 1;
      }
      j++;
    }
    return text.length;
  }
  if (c === Ch.DQuote) {
    let j = i + 1;
    while (j < text.length) {
      if (text.charCodeAt(j) === Ch.DQuote) {
        if (text.charCodeAt(j + 1) === Ch.DQuote) { j += 2; continue; }
        return j + 1;
      }
      j++;
    }
    return text.length;
  }
  if (c === Ch.Dollar) {
    const m = /^\$([A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*)?\$/.exec(text.slice(i, i + 64));
    if (m && !(i > 0 && isIdentChar(text.charCodeAt(i - 1)))) {
      const close = text.indexOf(m[0], i + m[0].length);
      return close < 0 ? text.length : close + m[0].length;
    }
    return i + 1;
  }
  if (isIdentChar(c)) {
    let j = i + 1;
    while (j < text.length && (isIdentChar(text.charCodeAt(j)) || text.charCodeAt(j) === Ch.Dollar)) j++;
    return j;
  }
  return i + 1;
}

/** The last token of text[start, end), comments skipped (and `;` too unless `semicolons`). */
function lastToken(text: string, start: number, end: number, semicolons: boolean): { start: number; end: number } | undefined {
  let i = start;
  let last: { start: number; end: number } | undefined;
  while (i < end) {
    const t = skipTrivia(text, i, end);
    if (t.pos >= end) break;
    const semi = text.charCodeAt(t.pos) === Ch.Semi;
    const e = semi ? t.pos + 1 : skipToken(text, t.pos);
    if (semicolons || !semi) last = { start: t.pos, end: Math.min(e, end) };
    i = Math.max(e, t.pos + 1);
  }
  return last;
}

/** Start of the last token in text[start, end) (comments skipped), or `start` when there is none. */
export function lastTokenStart(text: string, start: number, end: number): number {
  return lastToken(text, start, end, true)?.start ?? start;
}

/** End of the last token in text[start, end) that is not `;`: trailing comments and semicolons are not part of a statement. */
export function lastTokenEnd(text: string, start: number, end: number): number {
  return lastToken(text, start, end, false)?.end ?? start;
}


/** The statement in text[from, end): leading whitespace, comments and `;` skipped, trailing ones trimmed. */
export function statementRange(text: string, from: number, end: number): { start: number; end: number } {
  const start = skipTrivia(text, from, end, true).pos;
  let last = lastTokenEnd(text, start, end);
  while (last > start && /\s/.test(text[last - 1])) last--;
  return { start, end: last };
}

export interface Comment {
  start: number;
  end: number;
  text: string;
}

/** Skips whitespace and comments from `i`; returns where the next token starts and the comments passed. */
export function skipTrivia(text: string, i: number, end = text.length, semicolons = false): { pos: number; comments: Comment[] } {
  const comments: Comment[] = [];
  while (i < end) {
    const c = text.charCodeAt(i);
    if (c === 32 || c === 9 || c === 10 || c === 13 || c === 12 || c === 0xfeff || (semicolons && c === Ch.Semi)) { i++; continue; }
    const n = text.charCodeAt(i + 1);
    if ((c === Ch.Dash && n === Ch.Dash) || (c === Ch.Slash && n === Ch.Star)) {
      const e = Math.min(skipToken(text, i), end);
      comments.push({ start: i, end: e, text: text.slice(i, e) });
      i = e;
      continue;
    }
    break;
  }
  return { pos: Math.min(i, end), comments };
}

/** End of the list element starting at `i`: the next `,` or `)` at depth 0 (exclusive), trailing trivia trimmed. */
export function elementEnd(text: string, i: number, limit = text.length): number {
  let depth = 0;
  let lastTokenEnd = i;
  while (i < limit) {
    const c = text.charCodeAt(i);
    if (c === 32 || c === 9 || c === 10 || c === 13) { i++; continue; }
    if ((c === Ch.Dash && text.charCodeAt(i + 1) === Ch.Dash) || (c === Ch.Slash && text.charCodeAt(i + 1) === Ch.Star)) {
      i = skipToken(text, i);
      continue;
    }
    if (c === Ch.LParen) depth++;
    else if (c === Ch.RParen) { if (depth === 0) return lastTokenEnd; depth--; }
    else if (c === Ch.Comma && depth === 0) return lastTokenEnd;
    else if (c === Ch.Semi && depth === 0) return lastTokenEnd;
    i = skipToken(text, i);
    lastTokenEnd = i;
  }
  return lastTokenEnd;
}

/** End (exclusive) of a function call that starts at `i`: its name, then its parenthesised arguments. */
export function callEnd(text: string, i: number, limit = text.length): number {
  let depth = 0;
  while (i < limit) {
    const c = text.charCodeAt(i);
    if (c === 32 || c === 9 || c === 10 || c === 13) { i++; continue; }
    if (c === Ch.LParen) depth++;
    else if (c === Ch.RParen && --depth <= 0) return i + 1;
    i = skipToken(text, i);
  }
  return limit;
}

export interface Piece {
  start: number;
  end: number;
}

/**
 * Splits SQL text into statements at top-level semicolons. `BEGIN ATOMIC … END` bodies (SQL-standard
 * function bodies, PostgreSQL 14+) contain semicolons of their own and are kept whole.
 */
export function splitStatements(text: string, from = 0, to = text.length, stop?: (end: number) => boolean): Piece[] {
  const pieces: Piece[] = [];
  let start = from;
  let i = from;
  let atomicDepth = 0;
  let parenDepth = 0;
  let prevWord = '';
  let caseDepth = 0;
  while (i < to) {
    const c = text.charCodeAt(i);
    if (c === Ch.Semi && atomicDepth === 0) {
      // Semicolons inside parentheses (CREATE RULE … DO (a; b)) do not end the statement, unless the
      // parentheses were left open and the next statement starts a line: recover from half-typed SQL.
      const next = skipTrivia(text, i + 1, to).pos;
      const lineStart = next >= to || next === 0 || text.charCodeAt(next - 1) === Ch.Newline;
      if (parenDepth === 0 || lineStart) {
        pieces.push({ start, end: i });
        if (stop?.(i)) return pieces;
        i++;
        start = i;
        prevWord = '';
        parenDepth = 0;
        continue;
      }
    }
    const e = skipToken(text, i);
    if (c === Ch.LParen) parenDepth++;
    else if (c === Ch.RParen && parenDepth > 0) parenDepth--;
    if (isIdentChar(c) && !(c >= 48 && c <= 57)) {
      const word = text.slice(i, e).toLowerCase();
      if (word === 'atomic' && prevWord === 'begin') atomicDepth++;
      else if (atomicDepth > 0 && word === 'case') caseDepth++;
      else if (atomicDepth > 0 && word === 'end') {
        if (caseDepth > 0) caseDepth--;
        else atomicDepth--;
      }
      prevWord = word;
    } else if (!(c === 32 || c === 9 || c === 10 || c === 13)) {
      if (!(c === Ch.Dash || c === Ch.Slash)) prevWord = '';
    }
    i = Math.min(e, to);
  }
  if (skipTrivia(text, start, to).pos < to) pieces.push({ start, end: to });
  return pieces;
}

/**
 * splitStatements of `text`, given the split of an earlier text (an editor's last version of the file): only the
 * part around what changed is split again. At every piece boundary the splitter is in its starting state, so the
 * pieces before the change stand as they were (when the look-ahead after their `;` also ends before it), and the
 * split after it is the old one moved, from the first `;` past the change where the old text had a boundary too.
 */
export function splitStatementsAgain(text: string, last: { text: string; pieces: Piece[] } | undefined): Piece[] {
  if (!last) return splitStatements(text);
  const old = last.text;
  if (old === text) return last.pieces;
  const min = Math.min(old.length, text.length);
  let prefix = 0;
  while (prefix < min && old.charCodeAt(prefix) === text.charCodeAt(prefix)) prefix++;
  let suffix = 0;
  while (suffix < min - prefix && old.charCodeAt(old.length - 1 - suffix) === text.charCodeAt(text.length - 1 - suffix)) suffix++;
  const delta = text.length - old.length;
  const pieces = last.pieces;
  // Old pieces kept: their `;`, and the token the splitter looks at after it, lie before the change.
  let lo = 0;
  let hi = pieces.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (pieces[mid].end < prefix) lo = mid + 1;
    else hi = mid;
  }
  let keep = lo;
  while (keep > 0 && (pieces[keep - 1].end === old.length || skipTrivia(text, pieces[keep - 1].end + 1).pos >= prefix)) keep--;
  const from = keep === 0 ? 0 : pieces[keep - 1].end + 1;
  // Old boundaries in the unchanged end of the text, by their position in the new one.
  const boundaries = new Map<number, number>();
  for (let i = pieces.length - 1; i >= keep && pieces[i].end >= old.length - suffix; i--) {
    if (pieces[i].end < old.length) boundaries.set(pieces[i].end + delta, i);
  }
  let resumeAfter = -1;
  const again = splitStatements(text, from, text.length, (end) => {
    if (end < text.length - suffix) return false;
    const i = boundaries.get(end);
    if (i === undefined) return false;
    resumeAfter = i;
    return true;
  });
  const out = pieces.slice(0, keep).concat(again);
  if (resumeAfter >= 0) for (let i = resumeAfter + 1; i < pieces.length; i++) out.push({ start: pieces[i].start + delta, end: pieces[i].end + delta });
  return out;
}

// psql meta-commands that send the query buffer, as `;` does: https://www.postgresql.org/docs/current/app-psql.html
const SENDS_BUFFER = /^\\(g|gx|gset|gexec|gdesc|crosstabview|watch)\b/;

/**
 * Replaces psql meta-commands (`\set x 1`, `\i file.sql`, `\connect db`, and `\gset` at the end of a query
 * line) with spaces, keeping every offset; a meta-command that sends the query (`\g`, `\gexec`, …) becomes `;`.
 * The data lines after `COPY … FROM stdin;` up to `\.` are blanked too. Text inside strings, comments and
 * dollar quotes is left alone.
 */
export function blankMetaCommands(text: string): string {
  if (!text.includes('\\')) return text;
  const blanks: { start: number; end: number; semi: boolean }[] = [];
  let i = 0;
  let stmtStart = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 32 || c === 9 || c === 10 || c === 13) { i++; continue; }
    if (c === Ch.Backslash) {
      let nl = text.indexOf('\n', i);
      if (nl < 0) nl = text.length;
      const semi = SENDS_BUFFER.test(text.slice(i, i + 16));
      blanks.push({ start: i, end: nl, semi });
      // A meta-command before any token of a statement, or one that sends the query, starts the next statement.
      if (semi || skipTrivia(text, stmtStart, i).pos >= i) stmtStart = nl;
      i = nl;
      continue;
    }
    if (c === Ch.Semi) {
      const dataEnd = copyDataEnd(text, stmtStart, i);
      i++;
      stmtStart = i;
      if (dataEnd !== undefined) {
        const from = text.indexOf('\n', i) + 1;
        blanks.push({ start: from, end: dataEnd, semi: false });
        i = dataEnd;
        stmtStart = i;
      }
      continue;
    }
    i = skipToken(text, i);
  }
  if (blanks.length === 0) return text;
  let out = '';
  let at = 0;
  for (const b of blanks) {
    out += text.slice(at, b.start);
    // Keep line breaks so that line numbers stay right.
    const blanked = text.slice(b.start, b.end).replace(/[^\r\n]/g, ' ');
    out += b.semi ? `;${blanked.slice(1)}` : blanked;
    at = b.end;
  }
  return out + text.slice(at);
}

/**
 * When text[stmtStart, semi) is `COPY … FROM stdin` and its data block (the lines after it, up to a `\.` line)
 * follows, the end of that block. A COPY that psql rejects before reading data has no block: another
 * `COPY … FROM stdin` line before the `\.` means this one had none.
 */
function copyDataEnd(text: string, stmtStart: number, semi: number): number | undefined {
  const head = skipTrivia(text, stmtStart, semi).pos;
  if (!/^copy\b/i.test(text.slice(head, head + 5)) || !/\bfrom\s+stdin\b/i.test(text.slice(head, semi))) return undefined;
  const nl = text.indexOf('\n', semi);
  if (nl < 0) return undefined;
  const term = /^\\\.[ \t\r]*$/gm;
  term.lastIndex = nl + 1;
  const m = term.exec(text);
  if (!m) return undefined;
  if (/^[ \t]*copy\b[^\n]*\bfrom\s+stdin\b/im.test(text.slice(nl + 1, m.index))) return undefined;
  return m.index + m[0].length;
}

/**
 * Template placeholders that scan but do not parse: Go templates `{{ … }}`, Flyway `${name}`,
 * psql variables `:name`, `:'name'`, `:"name"`. Each is replaced by an identifier of the same length so
 * that every offset stays right. Returns undefined when there is nothing to replace.
 */
/**
 * The placeholders of a text (`{{ index .Options "Namespace" }}`, `\${schema}`) by the same-length identifier that
 * replacePlaceholders puts in their place, each with its text written one canonical way (single spaces), so that the
 * model names an object the way the migration wrote it and two spellings of one placeholder are one name.
 */
export function placeholderNames(text: string): Map<string, string> {
  const out = new Map<string, string>();
  const fill = (m: string) => (m.length === 1 ? 'x' : 'x' + '_'.repeat(m.length - 1));
  for (const m of text.matchAll(/\{\{[\s\S]*?\}\}|\$\{[A-Za-z0-9_.:-]+\}/g)) {
    const canonical = m[0].startsWith('{{') ? `{{ ${m[0].slice(2, -2).trim().replace(/\s+/g, ' ')} }}` : m[0];
    if (!out.has(fill(m[0]))) out.set(fill(m[0]), canonical);
  }
  return out;
}

export function replacePlaceholders(text: string): string | undefined {
  let changed = false;
  const fill = (m: string): string => {
    changed = true;
    return m.length === 1 ? 'x' : 'x' + '_'.repeat(m.length - 1);
  };
  const out = text
    .replace(/\{\{[\s\S]*?\}\}/g, fill)
    .replace(/\$\{[A-Za-z0-9_.:-]+\}/g, fill)
    .replace(/(?<![:A-Za-z0-9_])(:'[A-Za-z_][A-Za-z0-9_]*'|:"[A-Za-z_][A-Za-z0-9_]*"|:[A-Za-z_][A-Za-z0-9_]*)/g, (m) => {
      // psql's :'v' interpolates a string literal and :"v" a quoted identifier: keep the quotes.
      if (m[1] === "'" || m[1] === '"') { changed = true; return `${m[1]}${'_'.repeat(m.length - 2)}${m[1]}`; }
      return fill(m);
    });
  return changed ? out : undefined;
}

/** A token of SQL text (see tokens). */
export interface Tok {
  start: number;
  end: number;
  text: string;
  /** Lower-cased keyword or unquoted identifier; undefined for punctuation, strings and quoted names. */
  word?: string;
}

/** The tokens of text[start, end), comments and whitespace skipped. Offsets are file offsets. */
export function tokens(text: string, start: number, end: number): Tok[] {
  const out: Tok[] = [];
  let i = start;
  while (i < end) {
    const t = skipTrivia(text, i, end);
    if (t.pos >= end) break;
    const e = Math.min(Math.max(skipToken(text, t.pos), t.pos + 1), end);
    const s = text.slice(t.pos, e);
    out.push({ start: t.pos, end: e, text: s, word: /^[A-Za-z_\u0080-\uffff]/.test(s) ? s.toLowerCase() : undefined });
    i = e;
  }
  return out;
}

/** Source text of a run of tokens. */
export function tokText(text: string, toks: Tok[]): string {
  return toks.length ? text.slice(toks[0].start, toks[toks.length - 1].end) : '';
}

/**
 * The table a CREATE TABLE names, read from its first tokens: for a statement the parser rejected, so that the rest of
 * its migration can still tell the table is new (Supabase's dashboard writes `CREATE TABLE t (…) tablespace;`, and
 * the ALTER TABLE t ENABLE ROW LEVEL SECURITY after it locks nobody out). Undefined for any other statement.
 */
export function createdTableName(text: string): { schema?: string; name: string } | undefined {
  const toks = tokens(text, 0, Math.min(text.length, 1000));
  let i = 0;
  const word = () => toks[i]?.word;
  if (word() !== 'create') return undefined;
  i++;
  if (word() === 'global' || word() === 'local') i++;
  if (word() === 'temp' || word() === 'temporary' || word() === 'unlogged') i++;
  if (word() !== 'table') return undefined;
  i++;
  if (word() === 'if' && toks[i + 1]?.word === 'not' && toks[i + 2]?.word === 'exists') i += 3;
  const ident = (t: Tok | undefined) => (t?.word ?? (t && /^".+"$/s.test(t.text) ? t.text.slice(1, -1).replace(/""/g, '"') : undefined));
  const first = ident(toks[i]);
  if (first === undefined) return undefined;
  if (toks[i + 1]?.text !== '.') return { name: first };
  const second = ident(toks[i + 2]);
  return second === undefined ? undefined : { schema: first, name: second };
}

/** The expressions of USING ( … ) and WITH CHECK ( … ) in a policy statement, inside their parentheses. */
export function policyClauses(text: string, span: Span): Partial<Record<PolicyCall['clause'], Span>> {
  const out: Partial<Record<PolicyCall['clause'], Span>> = {};
  const toks = tokens(text, span.start, span.end);
  let depth = 0;
  for (let k = 0; k < toks.length; k++) {
    const t = toks[k];
    if (t.text === '(') depth++;
    else if (t.text === ')') depth--;
    const clause = depth === 0 && toks[k + 1]?.text === '(' ? (t.word === 'using' ? 'using' : t.word === 'check' && toks[k - 1]?.word === 'with' ? 'check' : undefined) : undefined;
    if (!clause) continue;
    let d = 0;
    for (let j = k + 1; j < toks.length; j++) {
      if (toks[j].text === '(') d++;
      else if (toks[j].text === ')' && --d === 0) { out[clause] = { start: toks[k + 1].end, end: toks[j].start }; break; }
    }
  }
  return out;
}
