// Custom requests (protocol/index.ts) the VS Code client's commands and reports use.
import path from 'node:path';
import { ResponseError, type Connection } from 'vscode-languageserver/node';
import { buildReport, defaultHref, formatSarif, innermostFolder, limitToFiles, renderHtml, renderJson, renderMarkdown, type ReportOptions, type SetResult } from '../rules/index';
import { newFilesSince, SinceError } from '../io/git';
import { ReanalyzeRequest, ReportRequest } from '../protocol/index';
import { fileToUri } from './convert';
import type { Workspace } from './workspace';
// A named import: the bundle keeps the version, not the whole manifest.
import { version } from '../package.json';

/** Paths relative to the workspace folder that holds them (prefixed by the folder's name in multi-root workspaces). */
export function workspaceRelPath(folders: readonly string[]): (file: string) => string {
  return (file) => {
    const folder = innermostFolder(folders, file);
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
  /** Reads the live databases again (their schemas and sizes change). */
  refreshDatabases: () => Promise<unknown> = async () => undefined,
): void {
  connection.onRequest(ReanalyzeRequest, async () => {
    await ready();
    ws.scanFolders((m) => connection.console.warn(m));
    await refreshDatabases();
    const results = ws.analyze();
    publish(results);
    return { sets: results.length, files: results.reduce((n, r) => n + r.files.length, 0), findings: results.reduce((n, r) => n + r.findings.length, 0) };
  });

  // The design review report of the current analysis: the same results the Problems panel shows.
  connection.onRequest(ReportRequest, async (params) => {
    await ready();
    if (ws.results.size === 0 && ws.folders.length) {
      ws.scanFolders((m) => connection.console.warn(m));
      publish(ws.analyze());
    }
    const project = ws.project();
    const relPath = workspaceRelPath(ws.folders);
    const files = [...project.texts.keys()];
    let newFiles: Set<string> | undefined;
    if (params.since) {
      try {
        newFiles = newFilesSince(files, params.since, { label: 'since', display: relPath });
      } catch (e) {
        if (e instanceof SinceError) throw new ResponseError(1, e.message);
        throw e;
      }
    }
    if (params.format === 'sarif') return formatSarif(newFiles ? limitToFiles(project, newFiles) : project, version, relPath);
    const report = buildReport(project.sets, {
      configFor: (id) => ws.configOf(id), relPath, since: newFiles ? { newFiles, ref: params.since } : undefined, trace: measured(), isolation: proved(),
    });
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
