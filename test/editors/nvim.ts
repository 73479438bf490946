/**
 * Neovim (Debian: 0.7.2) as a real LSP client, headless. Install it with
 * `scripts/install-test-tools.sh`; tests should skip when `nvimPath()` is undefined.
 * The Lua side is `nvim-lsp-check.lua` next to this file (see its header for the protocol).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const NVIM_LSP_CHECK_SCRIPT = path.join(__dirname, 'nvim-lsp-check.lua');

/** nvim binary (env NVIM_PATH, else the first `nvim` on PATH), or undefined. */
export function nvimPath(): string | undefined {
  const candidates = process.env.NVIM_PATH
    ? [process.env.NVIM_PATH]
    : (process.env.PATH ?? '').split(path.delimiter).filter(Boolean).map((d) => path.join(d, 'nvim'));
  return candidates.find((p) => {
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return fs.statSync(p).isFile();
    } catch {
      return false;
    }
  });
}

export interface NvimDiagnostic {
  /** 0-based line / byte column, as vim.diagnostic reports them. */
  lnum: number;
  col: number;
  end_lnum: number;
  end_col: number;
  /** 1 error, 2 warning, 3 info, 4 hint. */
  severity: number;
  message: string;
  source?: string;
  code?: string | number;
}

/** A CodeAction (or bare Command) as the server returned it. */
export interface LspCodeAction {
  title: string;
  kind?: string;
  isPreferred?: boolean;
  diagnostics?: unknown[];
  edit?: { changes?: Record<string, { range: unknown; newText: string }[]>; documentChanges?: unknown[] };
  command?: string | { title: string; command: string; arguments?: unknown[] };
  data?: unknown;
  [key: string]: unknown;
}

export interface NvimLspCheckOptions {
  /** File to open (its buffer is attached to the server). */
  file: string;
  /** Server command: a string split on spaces, or an argv array (safe for paths with spaces). */
  serverCmd: string | string[];
  /** true: apply the preferred (else first) code action; string: apply the action with this title (exact, else substring). */
  apply?: boolean | string;
  /** Wait for a diagnostic with this code; code actions are requested for its range. */
  expectCode?: string;
  /** Wait for diagnostics / each request (default 10000 ms). */
  waitMs?: number;
  /** Also pull diagnostics (textDocument/diagnostic), for servers without push diagnostics. */
  pull?: boolean;
  /** After applying, wait this long for the diagnostics to change (default 3000 ms). */
  afterWaitMs?: number;
  /** Working directory and LSP root (default: the file's directory). */
  cwd?: string;
  /** Extra environment for nvim and the server. */
  env?: NodeJS.ProcessEnv;
}

export interface NvimLspCheckResult {
  /** 0 ok, 1 no (matching) diagnostic in time, 2 client failed to start, 3 nothing applied; null if killed. */
  exitCode: number | null;
  diagnostics: NvimDiagnostic[];
  codeActions: LspCodeAction[];
  /** Buffer lines after applying (only when `apply` was given and an action was applied). */
  bufferAfter: string[] | undefined;
  /** Diagnostics after applying (once they changed, or after afterWaitMs). */
  diagnosticsAfter: NvimDiagnostic[] | undefined;
  /** Title of the applied action (null when `apply` matched nothing), undefined when not applying. */
  applied: string | null | undefined;
  /** Raw textDocument/diagnostic results when `pull` was set. */
  pullDiagnostics: unknown[];
  stdout: string;
  stderr: string;
  durationMs: number;
}

/** Lua's cjson encodes an empty table as {}: normalise to []. */
function asArray<T>(v: unknown): T[] {
  if (Array.isArray(v)) return v as T[];
  if (v && typeof v === 'object' && Object.keys(v).length === 0) return [];
  return v === undefined || v === null ? [] : [v as T];
}

/**
 * Runs `nvim --headless --clean -u NONE -c "luafile nvim-lsp-check.lua" <file>` with scratch XDG
 * dirs, synchronously, and parses its tagged JSON lines.
 */
export function runNvimLspCheck(opts: NvimLspCheckOptions): NvimLspCheckResult {
  const nvim = nvimPath();
  if (!nvim) throw new Error('nvim is not installed: run scripts/install-test-tools.sh');
  const file = path.resolve(opts.file);
  const cwd = opts.cwd ?? path.dirname(file);
  const waitMs = opts.waitMs ?? 10_000;
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'sqla-nvim-'));
  const env: NodeJS.ProcessEnv = { ...process.env, ...opts.env, LSP_WAIT_MS: String(waitMs), LSP_ROOT: cwd };
  for (const k of ['LSP_CMD', 'LSP_CMD_JSON', 'LSP_APPLY', 'LSP_EXPECT_CODE', 'LSP_PULL', 'LSP_AFTER_WAIT_MS', 'NVIM', 'NVIM_LISTEN_ADDRESS', 'VIMINIT', 'MYVIMRC']) {
    if (!(opts.env && k in opts.env)) delete env[k];
  }
  for (const [k, sub] of [['XDG_CONFIG_HOME', 'config'], ['XDG_DATA_HOME', 'data'], ['XDG_CACHE_HOME', 'cache'], ['XDG_STATE_HOME', 'state'], ['XDG_RUNTIME_DIR', 'runtime'], ['TMPDIR', 'tmp']] as const) {
    const d = path.join(scratch, sub);
    fs.mkdirSync(d, { recursive: true, mode: 0o700 });
    env[k] = d;
  }
  if (Array.isArray(opts.serverCmd)) env.LSP_CMD_JSON = JSON.stringify(opts.serverCmd);
  else env.LSP_CMD = opts.serverCmd;
  if (opts.apply) env.LSP_APPLY = opts.apply === true ? '1' : opts.apply;
  if (opts.expectCode) env.LSP_EXPECT_CODE = opts.expectCode;
  if (opts.pull) env.LSP_PULL = '1';
  if (opts.afterWaitMs !== undefined) env.LSP_AFTER_WAIT_MS = String(opts.afterWaitMs);

  const t0 = Date.now();
  try {
    const res = spawnSync(nvim, ['--headless', '--clean', '-u', 'NONE', '-i', 'NONE', '-n', '-c', `luafile ${NVIM_LSP_CHECK_SCRIPT.replace(/ /g, '\\ ')}`, file], {
      cwd,
      env,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      // diagnostics wait + code action + apply + diagnostics-after + shutdown, with margin
      timeout: waitMs * 3 + (opts.afterWaitMs ?? 3000) + 15_000,
      killSignal: 'SIGKILL',
      maxBuffer: 64 * 1024 * 1024,
    });
    const stdout = res.stdout ?? '';
    const stderr = `${res.stderr ?? ''}${res.error ? `\nspawn error: ${res.error.message}` : ''}`;
    const result: NvimLspCheckResult = {
      exitCode: res.status,
      diagnostics: [],
      codeActions: [],
      bufferAfter: undefined,
      diagnosticsAfter: undefined,
      applied: undefined,
      pullDiagnostics: [],
      stdout,
      stderr,
      durationMs: Date.now() - t0,
    };
    for (const line of stdout.split('\n')) {
      const m = /^([A-Z_]+) (.*)$/.exec(line.trim());
      if (!m) continue;
      let value: unknown;
      try {
        value = JSON.parse(m[2]);
      } catch {
        continue;
      }
      switch (m[1]) {
        case 'DIAGNOSTICS': result.diagnostics = asArray(value); break;
        case 'CODE_ACTIONS': result.codeActions = asArray(value); break;
        case 'BUFFER_AFTER': result.bufferAfter = asArray(value); break;
        case 'DIAGNOSTICS_AFTER': result.diagnosticsAfter = asArray(value); break;
        case 'APPLIED': result.applied = typeof value === 'string' ? value : null; break;
        case 'PULL_DIAGNOSTICS': result.pullDiagnostics.push(value); break;
        default: break;
      }
    }
    return result;
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}
