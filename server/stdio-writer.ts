// The language server's messages to a client over standard output (`--stdio`: Neovim, Helix, Emacs, Zed, …).
//
// A publish of a file's 3,500 findings is 2.5 MB of JSON. vscode-jsonrpc's stream writer stringifies the message
// whole and copies it into a Buffer: V8 builds a large JSON text as a rope and flattens it into new memory on first
// read, and the Buffer is new memory too, both freed only by a later garbage collection. Touching fresh pages costs
// about 3 ms per MB on this machine: 15–25 ms of every keystroke went to it. Here the diagnostics are stringified a
// batch at a time (`jsonPieces`, as the CLI writes its reports), each batch a string small enough to live and die in
// the young generation, whose memory is reused; Node's stream encodes each string into memory it frees as soon as
// the write is done. The bytes on the wire are those of JSON.stringify of the whole message. The VS Code extension starts the server over stdio too: Node's IPC
// channel, its other transport, stringifies and copies every message whole.
import type { Writable } from 'node:stream';
import { inspect, type InspectOptions } from 'node:util';
import { AbstractMessageWriter, type Message, type MessageWriter } from 'vscode-languageserver/node';
import { BATCH, ITEMS, jsonPieces } from '../rules/index';

/** The pieces of `JSON.stringify(msg)`, the diagnostics of a large publish a batch at a time (as the CLI writes its reports). */
export function messagePieces(msg: Message): string[] {
  const params = (msg as { params?: { diagnostics?: unknown } }).params;
  const list = params?.diagnostics;
  if (!Array.isArray(list) || list.length <= BATCH) return [JSON.stringify(msg)];
  return [...jsonPieces({ ...msg, params: { ...params, diagnostics: ITEMS } }, list, { compact: true })];
}

export class StringMessageWriter extends AbstractMessageWriter implements MessageWriter {
  private errorCount = 0;
  private corked = false;

  constructor(private readonly out: Writable) {
    super();
    out.on('error', (e: Error) => this.fireError(e));
    out.on('close', () => this.fireClose());
  }

  write(msg: Message): Promise<void> {
    let pieces: string[];
    try {
      pieces = messagePieces(msg);
    } catch (e) {
      this.fireError(e as Error, msg, ++this.errorCount);
      return Promise.reject(e);
    }
    let bytes = 0;
    for (const p of pieces) bytes += Buffer.byteLength(p, 'utf8');
    // The messages of one turn of the event loop (at start-up, a publish for each of a workspace's files) leave in one
    // system call.
    if (!this.corked) {
      this.corked = true;
      this.out.cork();
      process.nextTick(() => {
        this.corked = false;
        this.out.uncork();
      });
    }
    return new Promise<void>((resolve, reject) => {
      this.out.write(`Content-Length: ${bytes}\r\n\r\n`, 'ascii');
      for (let i = 0; i < pieces.length - 1; i++) this.out.write(pieces[i], 'utf8');
      this.out.write(pieces[pieces.length - 1], 'utf8', (e?: Error | null) => {
        if (!e) {
          this.errorCount = 0;
          resolve();
          return;
        }
        this.fireError(e, msg, ++this.errorCount);
        reject(e);
      });
    });
  }

  end(): void {
    this.out.end();
  }
}

/**
 * Standard output carries the protocol, so the console goes to the client's log instead (what vscode-languageserver
 * does when it opens `--stdio` itself, which it does not when given this writer).
 */
export function consoleToClient(log: { log(m: string): void; info(m: string): void; warn(m: string): void; error(m: string): void }): void {
  const text = (args: unknown[]) => args.map((a) => (typeof a === 'string' ? a : inspect(a))).join(' ');
  console.log = (...args: unknown[]) => log.log(text(args));
  console.debug = console.log;
  console.info = (...args: unknown[]) => log.info(text(args));
  console.warn = (...args: unknown[]) => log.warn(text(args));
  console.error = (...args: unknown[]) => log.error(text(args));
  console.trace = (...args: unknown[]) => log.log(`Trace${args.length ? `: ${text(args)}` : ''}\n${new Error().stack?.replace(/(.+\n){2}/, '') ?? ''}`);
  console.dir = (arg: unknown, options?: InspectOptions) => log.log(inspect(arg, options));
  console.assert = (ok?: unknown, ...args: unknown[]) => { if (!ok) log.error(`Assertion failed${args.length ? `: ${text(args)}` : ''}`); };
}
