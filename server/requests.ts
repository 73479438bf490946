// Custom requests (`sqlArchitect/<name>`) the VS Code client's commands and reports use.
import type { Connection } from 'vscode-languageserver/node';
import type { SetResult } from '../rules/index';
import type { Workspace } from './workspace';

export function registerCustomRequests(
  connection: Connection,
  ws: Workspace,
  ready: () => Promise<void>,
  publish: (results: SetResult[]) => void,
): void {
  connection.onRequest('sqlArchitect/reanalyze', async () => {
    await ready();
    ws.scanFolders((m) => connection.console.warn(m));
    const results = ws.analyze();
    publish(results);
    return { sets: results.length, files: results.reduce((n, r) => n + r.files.length, 0), findings: results.reduce((n, r) => n + r.findings.length, 0) };
  });
}
