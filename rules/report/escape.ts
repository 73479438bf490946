// Escaping for the report renderers. Every identifier, message and SQL snippet in a report comes from the user's
// migrations, so every one of them goes through these functions: there is no other way text reaches the output.

const HTML: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text and attribute values for HTML (the one HTML escaping function of the reports). */
export function escapeHtml(s: string | number | boolean | undefined): string {
  return String(s ?? '').replace(/[&<>"']/g, (c) => HTML[c]);
}

/** Inline Markdown text: Markdown punctuation backslash-escaped, HTML characters as entities, one line. */
export function escapeMd(s: string | number | undefined): string {
  const one = String(s ?? '').replace(/\r?\n/g, ' ');
  // An underscore inside a word (tenant_id, a__b) is never emphasis in CommonMark: leave it readable.
  const word = (c: string | undefined) => c !== undefined && /[\p{L}\p{N}_]/u.test(c);
  return one
    .replace(/[\\`*_[\]|~]/g, (c, i: number) => (c === '_' && word(one[i - 1]) && word(one[i + 1]) ? c : `\\${c}`))
    .replace(/^([#+-])/, '\\$1')
    .replace(/^(\d+)([.)])/, '$1\\$2')
    .replace(/[&<>]/g, (c) => HTML[c]);
}

/**
 * Inline code in Markdown, safe inside table cells: a <code> element around escaped text. A backtick code span would
 * keep `<img …>` from a table name raw in the file (harmless to CommonMark, not to every renderer).
 */
export function mdCode(s: string): string {
  return `<code>${escapeMd(s)}</code>`;
}

/** The default link target of a report file: a relative path as a URL path, an absolute path as a file:// URL. */
export function defaultHref(file: string): string {
  const enc = (p: string) => encodeURI(p).replace(/[?#()]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  if (file.startsWith('/')) return `file://${enc(file)}`;
  if (/^[A-Za-z]:[\\/]/.test(file)) return `file:///${enc(file.replace(/\\/g, '/'))}`;
  // A relative path that would read as a URL scheme (`javascript:x.sql`) stays a path.
  return /^[^/]*:/.test(file) ? `./${enc(file)}` : enc(file);
}

/**
 * Text (and, with `attribute`, attribute values) for XML 1.0, the JUnit report: the HTML escapes, and the characters
 * XML 1.0 cannot carry at all (control characters, unpaired surrogates) replaced by U+FFFD. CR is a character
 * reference (parsers turn a raw one into LF); in attributes line breaks and tabs are too (else they fold into spaces).
 */
export function escapeXml(s: string | number | undefined, attribute = false): string {
  const out = escapeHtml(String(s ?? '').replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD'))
    .replace(/\r/g, '&#13;');
  return attribute ? out.replace(/\n/g, '&#10;').replace(/\t/g, '&#9;') : out;
}
