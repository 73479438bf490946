// Custom requests (`sqlArchitect/<name>`) the VS Code client's commands and reports use.
import path from 'node:path';
import { ResponseError, type Connection } from 'vscode-languageserver/node';
import { buildReport, defaultHref, renderHtml, renderJson, renderMarkdown, type ReportOptions, type SetResult } from '../rules/index';
import { formatSarif } from '../cli/format';
import { limitToFiles, newFilesSince, SinceError } from '../cli/report';
import { fileToUri } from './convert';
import type { Workspace } from './workspace';
import pkg from '../package.json';

export interface ReportParams {
  format: 'html' | 'md' | 'json' | 'sarif';
  /** Only findings and migration risk of migrations added after this git revision. */
  since?: string;
  /** HTML for the editor's webview: links post messages, the CSP admits the webview's sources and this nonce. */
  webview?: { nonce: string; cspSource: string };
  /** Folder the export is written to: links in Markdown and HTML are relative to it (else file:// URIs). */
  baseDir?: string;
}

/** Paths relative to the workspace folder that holds them (prefixed by the folder's name in multi-root workspaces). */
export function workspaceRelPath(folders: readonly string[]): (file: string) => string {
  return (file) => {
    const folder = folders.filter((d) => file === d || file.startsWith(d.endsWith(path.sep) ? d : d + path.sep)).sort((a, b) => b.length - a.length)[0];
    if (!folder) return file.split(path.sep).join('/');
    const rel = path.relative(folder, file).split(path.sep).join('/');
    if (folders.length > 1) return rel ? `${path.basename(folder)}/${rel}` : path.basename(folder);
    return rel || '.';
  };
}

export function registerCustomRequests(
  connection: Connection,
  ws: Workspace,
  ready: () => Promise<void>,
  publish: (results: SetResult[]) => void,
  measured: () => ReportOptions['trace'] = () => undefined,
  proved: () => ReportOptions['isolation'] = () => undefined,
): void {
  connection.onRequest('sqlArchitect/reanalyze', async () => {
    await ready();
    ws.scanFolders((m) => connection.console.warn(m));
    const results = ws.analyze();
    publish(results);
    return { sets: results.length, files: results.reduce((n, r) => n + r.files.length, 0), findings: results.reduce((n, r) => n + r.findings.length, 0) };
  });

  // The design review report of the current analysis: the same results the Problems panel shows.
  connection.onRequest('sqlArchitect/report', async (params: ReportParams): Promise<string> => {
    await ready();
    if (ws.results.size === 0 && ws.folders.length) {
      ws.scanFolders((m) => connection.console.warn(m));
      publish(ws.analyze());
    }
    const sets = [...ws.results.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const relPath = workspaceRelPath(ws.folders);
    const files = sets.flatMap((s) => s.files.map((f) => f.path));
    let newFiles: Set<string> | undefined;
    if (params.since) {
      try {
        newFiles = newFilesSince(files, params.since);
      } catch (e) {
        if (e instanceof SinceError) throw new ResponseError(1, e.message.replace(/^--since/, 'since'));
        throw e;
      }
    }
    if (params.format === 'sarif') {
      const texts = new Map(sets.flatMap((s) => s.files.map((f) => [f.path, f.text] as [string, string])));
      const project = { sets, texts, fileCount: files.length, configs: new Map(), configOf: new Map() };
      return formatSarif(newFiles ? limitToFiles(project, newFiles) : project, pkg.version, relPath);
    }
    // configFor re-reads .sqlarchitect.json and records its problems; the analysis already reported them.
    const problems = ws.configProblems.length;
    const report = buildReport(sets, { configFor: (id) => ws.configFor(id), relPath, since: newFiles ? { newFiles, ref: params.since } : undefined, trace: measured(), isolation: proved() });
    ws.configProblems.length = problems;
    if (params.format === 'json') return renderJson(report);
    // Display path → the file, for links.
    const byDisplay = new Map(files.map((f) => [relPath(f), f]));
    const absolute = (display: string) => byDisplay.get(display) ?? display;
    const href = params.webview
      ? (display: string) => fileToUri(absolute(display))
      : params.baseDir
        ? (display: string) => defaultHref(path.relative(params.baseDir!, absolute(display)).split(path.sep).join('/'))
        : (display: string) => fileToUri(absolute(display));
    if (params.format === 'md') return renderMarkdown(report, { href });
    if (params.format === 'html') return renderHtml(report, { href, webview: params.webview });
    throw new ResponseError(2, `unknown report format "${String(params.format)}" (expected html, md, json or sarif)`);
  });
}
