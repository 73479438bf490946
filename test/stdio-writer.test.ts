// The server's own writer for --stdio (server/stdio-writer.ts): the bytes of JSON.stringify of each message, the
// diagnostics of a large publish stringified a batch at a time; and the console, which must not write to stdout.
import assert from 'node:assert/strict';
import path from 'node:path';
import type { Message } from 'vscode-languageserver/node';
import { generateTenantTables } from '../bench/generate';
import { BATCH } from '../rules/index';
import { consoleToClient, messagePieces } from '../server/stdio-writer';
import { LspClient, uri } from './lsp-client';
import { tempWorkspace } from './helpers';

/** Diagnostics whose messages hold what JSON escapes or encodes in more than one UTF-8 byte. */
function diagnostics(n: number): unknown[] {
  const texts = ['plain', 'quote " and backslash \\', 'line\nbreak\ttab', 'control \u0001', 'café → naïve…', 'emoji 🐘', 'lone surrogate \ud800'];
  return Array.from({ length: n }, (_, i) => ({
    range: { start: { line: i, character: 0 }, end: { line: i, character: 5 } },
    severity: 1 + (i % 4), code: `rule-${i % 7}`, message: `${texts[i % texts.length]} #${i}`,
  }));
}

describe('stdio writer', () => {
  it('writes exactly JSON.stringify of every message, a large publish in pieces', () => {
    const publish = (n: number, extra: Record<string, unknown> = {}): Message => ({
      jsonrpc: '2.0', method: 'textDocument/publishDiagnostics',
      params: { uri: 'file:///tmp/caf%C3%A9.sql', ...extra, diagnostics: diagnostics(n), after: 'the key after' },
    } as Message);
    const messages: Message[] = [
      publish(0), publish(1), publish(BATCH), publish(BATCH + 1), publish(2 * BATCH), publish(2 * BATCH + 1), publish(1000, { version: 3 }),
      { jsonrpc: '2.0', id: 7, result: { contents: 'hover → text' } } as Message,
      { jsonrpc: '2.0', method: 'sqlArchitect/status', params: { state: 'idle', findings: 3 } } as Message,
    ];
    for (const m of messages) {
      const pieces = messagePieces(m);
      assert.equal(pieces.join(''), JSON.stringify(m));
      const n = ((m as { params?: { diagnostics?: unknown[] } }).params?.diagnostics ?? []).length;
      assert.equal(pieces.length, n > BATCH ? Math.ceil(n / BATCH) + 2 : 1, `pieces for ${n} diagnostics`);
    }
  });

  it('routes the console to the client: nothing but the protocol goes to standard output', () => {
    const saved = { ...console };
    const got: string[] = [];
    const at = (level: string) => (m: string) => got.push(`${level}: ${m}`);
    try {
      consoleToClient({ log: at('log'), info: at('info'), warn: at('warn'), error: at('error') });
      console.log('x', { a: 1 });
      console.info('i');
      console.warn('w', 2);
      console.error(new Error('boom').message);
      console.assert(true, 'not shown');
      console.assert(false, 'shown');
    } finally {
      Object.assign(console, saved);
    }
    assert.deepEqual(got, ['log: x { a: 1 }', 'info: i', 'warn: w 2', 'error: boom', 'error: Assertion failed: shown']);
  });

  it('over a real connection, a publish of hundreds of diagnostics with non-ASCII text arrives whole, and the messages after it too', async function () {
    this.timeout(120000);
    // 500 tenant tables (about 750 findings: many batches), and one whose name and comment are not ASCII.
    const sql = `${generateTenantTables(500)}CREATE TABLE "café_table" (id bigint PRIMARY KEY, tenant_id uuid NOT NULL REFERENCES tenants (id), email text UNIQUE);\n`;
    const file = 'db/migrations/20240101000000_many.sql';
    const dir = tempWorkspace({ [file]: sql });
    const client = new LspClient();
    try {
      await client.initialize(dir);
      const full = path.join(dir, file);
      await client.waitFor(() => client.diags(full).length > 0, 'diagnostics of the file', 110000);
      const diags = client.diags(full);
      assert.ok(diags.length > 10 * BATCH, `${diags.length} diagnostics: many batches`);
      assert.ok(diags.some((d) => d.message.includes('café_table')), 'a message naming the non-ASCII table');
      // The framing held: a request after the large publish is answered.
      const hover = await client.conn.sendRequest('textDocument/hover', { textDocument: { uri: uri(full) }, position: { line: 2, character: 14 } });
      assert.ok(hover, 'the hover after the publish');
    } finally {
      await client.stop();
    }
  });
});
