/**
 * Real-VS-Code test helpers: code-server 4.100.3 (VS Code 1.100.3) driven by Debian chromium
 * through playwright-core. Install the tools with `scripts/install-test-tools.sh`.
 *
 * Two test modes (see /work/shared/docs/real-clients.md):
 *  - Mode A, `runExtensionTests`: like @vscode/test-electron. An `extensionTestsPath` module
 *    (`exports.run = async () => {...}`, may `require('vscode')`) runs inside code-server's Node
 *    extension host with the extension under development loaded; its outcome becomes the exit code.
 *  - Mode B, `openWorkbench`: UI end-to-end with an installed .vsix (`installVsix`), using the
 *    Problems panel, quick fix, command palette and screenshots.
 *
 * Tests should skip (not fail) when `codeServerPath()` or `chromiumPath()` is undefined.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Browser, LaunchOptions, Page } from 'playwright-core';

export const CODE_SERVER_VERSION = '4.100.3';
export const REPO_ROOT = path.resolve(__dirname, '..', '..');

/** Chromium flags: root needs --no-sandbox; the rest keeps it quiet and offline. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** User settings written for a fresh user-data dir (overridable via `settings`). */
export const DEFAULT_USER_SETTINGS: Record<string, unknown> = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'security.workspace.trust.enabled': false,
  'git.enabled': false,
  'files.autoSave': 'off',
  'chat.disableAIFeatures': true,
};

function isExecutable(p: string): boolean {
  try {
    fs.accessSync(p, fs.constants.X_OK);
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

/** code-server binary (env CODE_SERVER_PATH, else `<repo>/.test-tools/code-server`), or undefined. */
export function codeServerPath(): string | undefined {
  const fromEnv = process.env.CODE_SERVER_PATH;
  if (fromEnv) return isExecutable(fromEnv) ? fromEnv : undefined;
  const p = path.join(REPO_ROOT, '.test-tools', 'code-server', 'node_modules', '.bin', 'code-server');
  return isExecutable(p) ? p : undefined;
}

/** Chromium binary (env CHROMIUM_PATH, else /usr/bin/chromium), or undefined. */
export function chromiumPath(): string | undefined {
  const candidates = process.env.CHROMIUM_PATH ? [process.env.CHROMIUM_PATH] : ['/usr/bin/chromium', '/usr/bin/chromium-browser'];
  return candidates.find(isExecutable);
}

function requireCodeServer(): string {
  const cs = codeServerPath();
  if (!cs) throw new Error('code-server is not installed: run scripts/install-test-tools.sh');
  return cs;
}

function requireChromium(): string {
  const c = chromiumPath();
  if (!c) throw new Error('chromium is not installed: run scripts/install-test-tools.sh');
  return c;
}

// ------------------------------------------------------------------ scratch dirs & processes

/** A fresh temp dir; removed on process exit unless SQLA_KEEP_SCRATCH=1. */
export function makeScratchDir(prefix = 'sqla-editor-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  scratchDirs.add(dir);
  return dir;
}

export function removeScratchDir(dir: string): void {
  scratchDirs.delete(dir);
  if (process.env.SQLA_KEEP_SCRATCH === '1') return;
  fs.rmSync(dir, { recursive: true, force: true, maxRetries: 3, retryDelay: 100 });
}

const scratchDirs = new Set<string>();
const liveGroups = new Set<number>();

// Last resort: never leave code-server process groups or scratch dirs behind, even when a
// test forgets stop() or mocha exits early.
process.on('exit', () => {
  for (const pgid of liveGroups) {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
  if (process.env.SQLA_KEEP_SCRATCH === '1') return;
  for (const dir of scratchDirs) {
    try {
      fs.rmSync(dir, { recursive: true, force: true });
    } catch {
      /* ignore */
    }
  }
});

/** XDG_* / TMPDIR under `root` so code-server, chromium and nvim don't write into ~. */
export function scratchEnv(root: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of ['PASSWORD', 'HASHED_PASSWORD', 'VSCODE_IPC_HOOK_CLI', 'VSCODE_PID', 'ELECTRON_RUN_AS_NODE', 'PORT']) delete env[k];
  for (const [k, sub] of [
    ['XDG_CONFIG_HOME', 'config'],
    ['XDG_DATA_HOME', 'data'],
    ['XDG_CACHE_HOME', 'cache'],
    ['XDG_STATE_HOME', 'state'],
    ['XDG_RUNTIME_DIR', 'runtime'],
    ['TMPDIR', 'tmp'],
  ] as const) {
    const d = path.join(root, sub);
    fs.mkdirSync(d, { recursive: true, mode: 0o700 });
    env[k] = d;
  }
  return { ...env, ...extra };
}

/** A free TCP port on 127.0.0.1 (ask the kernel, then release it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => (port ? resolve(port) : reject(new Error('could not get a free port'))));
    });
  });
}

function httpStatus(url: string, timeoutMs: number): Promise<number> {
  return new Promise((resolve) => {
    const req = http.get(url, { timeout: timeoutMs }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(0));
  });
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

async function killGroup(child: ChildProcess, graceMs = 5000): Promise<void> {
  const pid = child.pid;
  if (!pid) return;
  const exited = child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise<void>((r) => child.once('exit', () => r()));
  const signal = (sig: NodeJS.Signals) => {
    try {
      process.kill(-pid, sig); // the whole process group: server, extension hosts, language servers
    } catch {
      /* gone */
    }
  };
  signal('SIGTERM');
  let graceTimer: NodeJS.Timeout | undefined;
  const timedOut = await Promise.race([
    exited.then(() => false),
    new Promise<boolean>((r) => (graceTimer = setTimeout(() => r(true), graceMs))),
  ]);
  clearTimeout(graceTimer);
  // Children (extension host, pty host, language servers) may outlive the main process.
  signal(timedOut ? 'SIGKILL' : 'SIGTERM');
  await sleep(100);
  signal('SIGKILL');
  liveGroups.delete(pid);
}

// ------------------------------------------------------------------ code-server

export interface StartCodeServerOptions {
  /** Folder opened by default (the `?folder=` URL parameter can override it). */
  workspace: string;
  /** Defaults to a scratch dir. */
  extensionsDir?: string;
  /** Defaults to a scratch dir. */
  userDataDir?: string;
  /** Defaults to a free port. */
  port?: number;
  /** Merged over DEFAULT_USER_SETTINGS into <userDataDir>/User/settings.json if that file does not exist. */
  settings?: Record<string, unknown>;
  /** /healthz deadline (default 60 s). */
  startTimeoutMs?: number;
  /** Echo code-server output to this process's stderr (default: env SQLA_EDITOR_DEBUG=1). */
  echo?: boolean;
}

export interface CodeServer {
  url: string;
  port: number;
  userDataDir: string;
  extensionsDir: string;
  /** code-server stdout/stderr lines so far. */
  log: string[];
  /** Kills code-server's whole process group and removes the scratch dirs it created. */
  stop(): Promise<void>;
}

function writeDefaultSettings(userDataDir: string, settings?: Record<string, unknown>): void {
  const file = path.join(userDataDir, 'User', 'settings.json');
  if (fs.existsSync(file)) return;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify({ ...DEFAULT_USER_SETTINGS, ...settings }, null, 2));
}

/**
 * Starts code-server with `--auth none --disable-telemetry --disable-update-check
 * --disable-workspace-trust` on 127.0.0.1 and waits for /healthz.
 */
export async function startCodeServer(opts: StartCodeServerOptions): Promise<CodeServer> {
  const bin = requireCodeServer();
  const scratch = makeScratchDir('sqla-code-server-');
  const userDataDir = opts.userDataDir ?? path.join(scratch, 'user-data');
  const extensionsDir = opts.extensionsDir ?? path.join(scratch, 'extensions');
  fs.mkdirSync(userDataDir, { recursive: true });
  fs.mkdirSync(extensionsDir, { recursive: true });
  writeDefaultSettings(userDataDir, opts.settings);
  const env = scratchEnv(path.join(scratch, 'home'));
  const echo = opts.echo ?? process.env.SQLA_EDITOR_DEBUG === '1';
  const deadlineMs = opts.startTimeoutMs ?? 60_000;
  const log: string[] = [];

  // A port from freePort() can be taken before code-server binds it: retry on a new port.
  const attempts = opts.port ? 1 : 3;
  let lastError = '';
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const port = opts.port ?? (await freePort());
    const url = `http://127.0.0.1:${port}`;
    const args = [
      '--bind-addr', `127.0.0.1:${port}`,
      '--auth', 'none',
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-workspace-trust',
      '--disable-getting-started-override',
      '--user-data-dir', userDataDir,
      '--extensions-dir', extensionsDir,
      '--config', path.join(scratch, 'config.yaml'),
      opts.workspace,
    ];
    fs.writeFileSync(path.join(scratch, 'config.yaml'), 'auth: none\ncert: false\n');
    const child = spawn(bin, args, { env, cwd: opts.workspace, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    if (child.pid) liveGroups.add(child.pid);
    const onData = (prefix: string) => (buf: Buffer) => {
      for (const line of buf.toString('utf8').split('\n')) {
        if (!line.trim()) continue;
        log.push(`${prefix}${line}`);
        if (echo) process.stderr.write(`[code-server] ${line}\n`);
      }
    };
    child.stdout?.on('data', onData(''));
    child.stderr?.on('data', onData('stderr: '));
    let exited = false;
    child.once('exit', () => (exited = true));

    const t0 = Date.now();
    let healthy = false;
    while (Date.now() - t0 < deadlineMs && !exited) {
      if ((await httpStatus(`${url}/healthz`, 1000)) === 200) {
        healthy = true;
        break;
      }
      await sleep(100);
    }
    if (healthy) {
      let stopped = false;
      return {
        url,
        port,
        userDataDir,
        extensionsDir,
        log,
        async stop() {
          if (stopped) return;
          stopped = true;
          await killGroup(child);
          removeScratchDir(scratch);
        },
      };
    }
    await killGroup(child, 1000);
    lastError = exited
      ? `code-server exited early (code ${child.exitCode}, signal ${child.signalCode})`
      : `code-server did not answer ${url}/healthz within ${deadlineMs} ms`;
    const addrInUse = log.some((l) => /EADDRINUSE/.test(l));
    if (!addrInUse) break;
  }
  removeScratchDir(scratch);
  throw new Error(`${lastError}\n${log.slice(-40).join('\n')}`);
}

function runCodeServerCli(args: string[], userDataDir: string, extensionsDir: string, timeoutMs = 120_000): string {
  const bin = requireCodeServer();
  const scratch = makeScratchDir('sqla-code-server-cli-');
  try {
    const res = spawnSync(bin, ['--user-data-dir', userDataDir, '--extensions-dir', extensionsDir, ...args], {
      env: scratchEnv(scratch),
      encoding: 'utf8',
      timeout: timeoutMs,
      killSignal: 'SIGKILL',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out = `${res.stdout ?? ''}${res.stderr ?? ''}`;
    if (res.error || res.status !== 0) {
      throw new Error(`code-server ${args.join(' ')} failed (status ${res.status}, ${res.error?.message ?? res.signal ?? ''}):\n${out}`);
    }
    return out;
  } finally {
    removeScratchDir(scratch);
  }
}

/** `code-server --install-extension <vsix> --force` into the given dirs (no server needed). Throws on failure. */
export function installVsix(vsixPath: string, extensionsDir: string, userDataDir: string): void {
  if (!fs.existsSync(vsixPath)) throw new Error(`vsix not found: ${vsixPath}`);
  fs.mkdirSync(extensionsDir, { recursive: true });
  fs.mkdirSync(userDataDir, { recursive: true });
  const out = runCodeServerCli(['--install-extension', path.resolve(vsixPath), '--force'], userDataDir, extensionsDir);
  if (!/successfully installed/i.test(out)) throw new Error(`installing ${vsixPath} did not report success:\n${out}`);
}

/** `publisher.name@version` of the extensions installed in extensionsDir. */
export function listExtensions(extensionsDir: string, userDataDir: string): string[] {
  const out = runCodeServerCli(['--list-extensions', '--show-versions'], userDataDir, extensionsDir);
  return out.split('\n').map((l) => l.trim()).filter((l) => /^[\w-]+\.[\w-]+@/.test(l));
}

// ------------------------------------------------------------------ chromium

export interface BrowserSession {
  browser: Browser;
  /** Closes chromium and removes its scratch dirs. */
  close(): Promise<void>;
}

/** Launches headless Debian chromium with CHROMIUM_ARGS and scratch XDG dirs. */
export async function launchChromium(extra: LaunchOptions = {}): Promise<BrowserSession> {
  const { chromium } = await import('playwright-core');
  const scratch = makeScratchDir('sqla-chromium-');
  const browser = await chromium.launch({
    timeout: 60_000,
    ...extra,
    executablePath: extra.executablePath ?? requireChromium(),
    headless: extra.headless ?? true,
    args: [...CHROMIUM_ARGS, ...(extra.args ?? [])],
    env: scratchEnv(scratch, { HOME: path.join(scratch, 'home'), ...(extra.env ?? {}) }),
  });
  let closed = false;
  return {
    browser,
    async close() {
      if (closed) return;
      closed = true;
      await browser.close().catch(() => undefined);
      removeScratchDir(scratch);
    },
  };
}

function remoteUri(serverUrl: string, absPath: string): string {
  const host = new URL(serverUrl).host;
  const p = path.resolve(absPath).split(path.sep).map(encodeURIComponent).join('/');
  return `vscode-remote://${host}${p}`;
}

/** Workbench URL for `folder`, with an optional `payload` (mode A). */
export function workbenchUrl(serverUrl: string, folder: string, payload?: [string, string][]): string {
  let url = `${serverUrl.replace(/\/$/, '')}/?folder=${encodeURIComponent(path.resolve(folder))}`;
  if (payload) url += `&payload=${encodeURIComponent(JSON.stringify(payload))}`;
  return url;
}

// ------------------------------------------------------------------ mode A

export interface RunExtensionTestsOptions {
  serverUrl: string;
  /** Absolute path of the extension folder (its package.json) loaded as under development. */
  extensionDevelopmentPath: string;
  /** Absolute path of the test module (a file or folder with index.js) exporting `run(): Promise<void>`. */
  extensionTestsPath: string;
  /** Workspace folder to open. */
  folder: string;
  timeoutMs: number;
  /** Echo the collected log lines live to stdout (default: env SQLA_EDITOR_DEBUG=1). */
  echo?: boolean;
}

export interface ExtensionTestsResult {
  /** The extension host's exit code (0 = run() resolved), or 'timeout'. */
  exitCode: number | 'timeout';
  /** `codeAutomationLog` output (the extension host's console) plus page errors. */
  log: string[];
}

/**
 * Mode A: the @vscode/test-electron model on code-server. The web workbench's `payload` URL
 * parameter carries extensionDevelopmentPath / extensionTestsPath as vscode-remote URIs; the test
 * module runs in code-server's Node extension host and its result arrives via
 * window.codeAutomationExit(code).
 */
export async function runExtensionTests(opts: RunExtensionTestsOptions): Promise<ExtensionTestsResult> {
  const log: string[] = [];
  const echo = opts.echo ?? process.env.SQLA_EDITOR_DEBUG === '1';
  const push = (line: string) => {
    log.push(line);
    if (echo) process.stdout.write(`[exthost] ${line}\n`);
  };
  const payload: [string, string][] = [
    ['extensionDevelopmentPath', remoteUri(opts.serverUrl, opts.extensionDevelopmentPath)],
    ['extensionTestsPath', remoteUri(opts.serverUrl, opts.extensionTestsPath)],
  ];
  const session = await launchChromium();
  let timer: NodeJS.Timeout | undefined;
  try {
    const page = await session.browser.newPage();
    let resolveExit!: (code: number | 'timeout') => void;
    const done = new Promise<number | 'timeout'>((r) => (resolveExit = r));
    await page.exposeFunction('codeAutomationExit', (code: unknown) => resolveExit(typeof code === 'number' ? code : Number(code)));
    await page.exposeFunction('codeAutomationLog', (type: unknown, args: unknown) => {
      const parts = Array.isArray(args) ? args : args === undefined ? [] : [args];
      push(`${String(type)}: ${parts.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' ')}`);
    });
    page.on('pageerror', (err) => push(`pageerror: ${err.message}`));
    page.on('crash', () => {
      push('page crashed');
      resolveExit(1);
    });
    timer = setTimeout(() => resolveExit('timeout'), opts.timeoutMs);
    await page.goto(workbenchUrl(opts.serverUrl, opts.folder, payload), { timeout: opts.timeoutMs });
    const exitCode = await done;
    return { exitCode, log };
  } finally {
    if (timer) clearTimeout(timer);
    await session.close();
  }
}

// ------------------------------------------------------------------ mode B

export interface Workbench {
  page: Page;
  browser: Browser;
  /** Closes the browser (code-server keeps running). */
  close(): Promise<void>;
  waitForWorkbench(timeoutMs?: number): Promise<void>;
  openFile(relPath: string, timeoutMs?: number): Promise<void>;
  openProblems(timeoutMs?: number): Promise<void>;
  waitForProblem(text: string, timeoutMs?: number): Promise<string>;
  quickFix(title: string, opts?: QuickFixOptions): Promise<void>;
  runCommand(title: string, timeoutMs?: number, opts?: { keepEditorFocus?: boolean }): Promise<void>;
  waitForNotification(text: string, timeoutMs?: number): Promise<string>;
  editorText(): Promise<string>;
  waitForEditorText(predicate: (text: string) => boolean, timeoutMs?: number): Promise<string>;
  screenshot(file: string): Promise<void>;
}

/** Opens the workbench for `folder` in headless chromium and waits for `.monaco-workbench`. */
export async function openWorkbench(serverUrl: string, folder: string, opts: { timeoutMs?: number; viewport?: { width: number; height: number } } = {}): Promise<Workbench> {
  const session = await launchChromium();
  try {
    const page = await session.browser.newPage({ viewport: opts.viewport ?? { width: 1400, height: 900 } });
    await page.goto(workbenchUrl(serverUrl, folder), { timeout: opts.timeoutMs ?? 60_000 });
    await waitForWorkbench(page, opts.timeoutMs);
    return {
      page,
      browser: session.browser,
      close: () => session.close(),
      waitForWorkbench: (t) => waitForWorkbench(page, t),
      openFile: (p, t) => openFile(page, p, t),
      openProblems: (t) => openProblems(page, t),
      waitForProblem: (text, t) => waitForProblem(page, text, t),
      quickFix: (title, o) => quickFix(page, title, o),
      runCommand: (title, t, o) => runCommand(page, title, t, o),
      waitForNotification: (text, t) => waitForNotification(page, text, t),
      editorText: () => editorText(page),
      waitForEditorText: (pred, t) => waitForEditorText(page, pred, t),
      screenshot: (file) => screenshot(page, file),
    };
  } catch (e) {
    await session.close();
    throw e;
  }
}

/** Waits for `.monaco-workbench` and the explorer (or an empty-window) view to render. */
export async function waitForWorkbench(page: Page, timeoutMs = 60_000): Promise<void> {
  await page.waitForSelector('.monaco-workbench', { timeout: timeoutMs });
  await page.waitForSelector('.monaco-workbench .part.statusbar', { timeout: timeoutMs });
}

const cssString = (s: string) => JSON.stringify(s);
const exactText = (s: string) => new RegExp(`^\\s*${s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`);

/**
 * Opens a workspace-relative file: clicks its explorer row when it is a visible top-level entry,
 * otherwise uses quick open (Ctrl+P). Resolves when its editor tab is active.
 */
export async function openFile(page: Page, relPath: string, timeoutMs = 30_000): Promise<void> {
  const base = path.posix.basename(relPath);
  const activeTab = page.locator(`.tabs-container .tab.active[data-resource-name=${cssString(base)}], .tabs-container .tab.active[aria-label^=${cssString(base)}]`);
  const row = page
    .locator('.explorer-folders-view .monaco-list-row')
    .filter({ has: page.locator('.label-name', { hasText: exactText(base) }) })
    .first();
  if (!relPath.includes('/')) {
    try {
      await row.waitFor({ state: 'visible', timeout: Math.min(10_000, timeoutMs) });
      await row.click();
      await activeTab.first().waitFor({ timeout: Math.min(10_000, timeoutMs) });
      return;
    } catch {
      /* fall back to quick open */
    }
  }
  await focusWorkbench(page);
  await page.keyboard.press('Control+P');
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await input.waitFor({ state: 'visible', timeout: timeoutMs });
  await input.fill(relPath);
  const pick = page
    .locator('.quick-input-list .monaco-list-row')
    .filter({ has: page.locator('.label-name', { hasText: exactText(base) }) })
    .first();
  await pick.waitFor({ state: 'visible', timeout: timeoutMs });
  await pick.click();
  await activeTab.first().waitFor({ timeout: timeoutMs });
}

/** Clicks a neutral spot so keyboard shortcuts go to the workbench. */
async function focusWorkbench(page: Page): Promise<void> {
  if (await page.locator('.quick-input-widget:visible').count()) await page.keyboard.press('Escape');
  const status = page.locator('.monaco-workbench .part.statusbar');
  await status.click({ position: { x: 5, y: 5 } }).catch(() => undefined);
}

/** Shows the Problems panel (Ctrl+Shift+M) unless it is already visible. */
export async function openProblems(page: Page, timeoutMs = 30_000): Promise<void> {
  const panel = page.locator('.markers-panel');
  if (await panel.isVisible().catch(() => false)) return;
  await page.keyboard.press('Control+Shift+M');
  try {
    await panel.waitFor({ state: 'visible', timeout: Math.min(10_000, timeoutMs) });
  } catch {
    await runCommand(page, 'View: Focus Problems', timeoutMs);
    await panel.waitFor({ state: 'visible', timeout: timeoutMs });
  }
}

/** Opens Problems and waits for a row containing `text`; returns the row's text. */
export async function waitForProblem(page: Page, text: string, timeoutMs = 30_000): Promise<string> {
  await openProblems(page, timeoutMs);
  const row = page.locator('.markers-panel .monaco-list-row').filter({ hasText: text }).first();
  await row.waitFor({ state: 'visible', timeout: timeoutMs });
  return ((await row.innerText()) || '').replace(/\s+/g, ' ').trim();
}

export interface QuickFixOptions {
  /** 1-based line to put the cursor on first (default 1). */
  line?: number;
  /** Per-step timeout (default 15 s for the Ctrl+. widget, then the same for the F1 fallback). */
  timeoutMs?: number;
  /** 'auto' (default): Ctrl+., falling back to the palette; 'palette': F1 → "Quick Fix..." only. */
  via?: 'auto' | 'palette';
}

/**
 * Puts the cursor on `line` of the active editor, opens the quick fix menu (Ctrl+., falling back
 * to F1 → "Quick Fix...") and applies the action titled `title`.
 */
export async function quickFix(page: Page, title: string, opts: QuickFixOptions = {}): Promise<void> {
  const timeoutMs = opts.timeoutMs ?? 15_000;
  const line = opts.line ?? 1;
  const editor = page.locator('.editor-group-container.active .monaco-editor').first();
  await editor.waitFor({ state: 'visible', timeout: timeoutMs });
  await goToLine(page, line, timeoutMs);
  const item = page.locator('.action-widget .monaco-list-row').filter({ hasText: title }).first();
  let shown = false;
  if (opts.via !== 'palette') {
    await page.keyboard.press('Control+.');
    shown = await item.waitFor({ state: 'visible', timeout: timeoutMs }).then(() => true, () => false);
    if (!shown) {
      await page.keyboard.press('Escape');
      await goToLine(page, line, timeoutMs);
    }
  }
  if (!shown) {
    await runCommand(page, 'Quick Fix...', timeoutMs, { keepEditorFocus: true });
    await item.waitFor({ state: 'visible', timeout: timeoutMs });
  }
  // Select with the keyboard: a context-view pointer block sits over the widget and swallows clicks.
  await selectActionWidgetItem(page, title, timeoutMs);
  await page.locator('.action-widget').first().waitFor({ state: 'hidden', timeout: timeoutMs }).catch(() => undefined);
}

async function selectActionWidgetItem(page: Page, title: string, timeoutMs: number): Promise<void> {
  const rows = page.locator('.action-widget .monaco-list-row');
  const focused = page.locator('.action-widget .monaco-list-row.focused');
  const total = Math.max(await rows.count(), 1);
  const deadline = Date.now() + timeoutMs;
  for (let i = 0; i <= total * 2 && Date.now() < deadline; i++) {
    const label = (await focused.count()) ? ((await focused.first().getAttribute('aria-label')) ?? (await focused.first().innerText())) : '';
    if (label === title || (label.includes(title) && !label.startsWith('Learn more'))) {
      await page.keyboard.press('Enter');
      return;
    }
    await page.keyboard.press('ArrowDown');
  }
  throw new Error(`quick fix "${title}" not selectable; rows: ${(await rows.allInnerTexts()).join(' | ')}`);
}

async function goToLine(page: Page, line: number, timeoutMs: number): Promise<void> {
  const lines = page.locator('.editor-group-container.active .monaco-editor .view-lines');
  await lines.waitFor({ state: 'visible', timeout: timeoutMs });
  // Click into the editor to focus it, then Ctrl+G to the line (clicking rows depends on scroll).
  await lines.click({ position: { x: 2, y: 2 } });
  if (line === 1) {
    await page.keyboard.press('Control+Home');
    return;
  }
  await page.keyboard.press('Control+G');
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await input.waitFor({ state: 'visible', timeout: timeoutMs });
  await input.fill(`:${line}`);
  await page.keyboard.press('Enter');
  await input.waitFor({ state: 'hidden', timeout: timeoutMs });
}

/** Runs a command palette command by its title (e.g. "Quick Fix...", "Dummy: Say Hello"). */
export async function runCommand(page: Page, title: string, timeoutMs = 30_000, opts: { keepEditorFocus?: boolean } = {}): Promise<void> {
  // Editor commands (Quick Fix..., Format Document) need the editor focus: keepEditorFocus skips
  // the status-bar click that otherwise makes sure the keypress reaches the workbench.
  if (!opts.keepEditorFocus) await focusWorkbench(page);
  else if (await page.locator('.quick-input-widget:visible').count()) await page.keyboard.press('Escape');
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await input.waitFor({ state: 'visible', timeout: timeoutMs });
  await input.fill(`>${title}`);
  const rows = page.locator('.quick-input-list .monaco-list-row');
  const exact = rows.filter({ has: page.locator('.label-name', { hasText: exactText(title) }) }).first();
  const any = rows.filter({ hasText: title }).first();
  await any.waitFor({ state: 'visible', timeout: timeoutMs });
  await ((await exact.count()) ? exact : any).click();
  await input.waitFor({ state: 'hidden', timeout: timeoutMs }).catch(() => undefined);
}

/** Waits for a notification toast containing `text`; returns its text. */
export async function waitForNotification(page: Page, text: string, timeoutMs = 15_000): Promise<string> {
  const toast = page.locator('.notifications-toasts .notification-toast').filter({ hasText: text }).first();
  await toast.waitFor({ state: 'visible', timeout: timeoutMs });
  return ((await toast.innerText()) || '').replace(/\s+/g, ' ').trim();
}

/** Text of the active editor's rendered lines (only what Monaco has rendered, i.e. visible lines). */
export async function editorText(page: Page): Promise<string> {
  const lines = page.locator('.editor-group-container.active .monaco-editor .view-lines .view-line');
  // Rendered lines are absolutely positioned and not in DOM order: sort by their `top`.
  const items = await lines.evaluateAll((els) =>
    els.map((el) => ({ top: parseFloat((el as unknown as { style: { top: string } }).style.top) || 0, text: (el as unknown as { textContent: string | null }).textContent ?? '' })),
  );
  return items
    .sort((a, b) => a.top - b.top)
    .map((i) => i.text.replace(/\u00a0/g, ' '))
    .join('\n');
}

/** Polls editorText until `predicate` holds; returns the text. */
export async function waitForEditorText(page: Page, predicate: (text: string) => boolean, timeoutMs = 15_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let text = '';
  while (Date.now() < deadline) {
    text = await editorText(page);
    if (predicate(text)) return text;
    await sleep(100);
  }
  throw new Error(`editor text did not match within ${timeoutMs} ms; last text:\n${text}`);
}

/** Screenshot of the page (creates the directory). */
export async function screenshot(page: Page, file: string): Promise<void> {
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  await page.screenshot({ path: file });
}
