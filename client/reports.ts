// The design review report in the editor: a themed webview (strict CSP, links that open the migration at the
// line) and exports to Markdown, HTML, SARIF or JSON. Thin: the report itself comes from the server.
import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { ReportRequest, type ReportParams } from '../protocol/index';

type Format = ReportParams['format'];

const FORMATS: { format: Format; label: string; ext: string; description: string }[] = [
  { format: 'md', label: 'Markdown', ext: 'md', description: 'GitHub-flavoured, with a Mermaid ER diagram' },
  { format: 'html', label: 'HTML', ext: 'html', description: 'one self-contained page' },
  { format: 'sarif', label: 'SARIF', ext: 'sarif', description: 'SARIF 2.1.0 findings, for code scanning' },
  { format: 'json', label: 'JSON', ext: 'json', description: 'the report as versioned JSON' },
];

export interface ExportArgs {
  format?: Format;
  /** Where to write (skips the save dialog). */
  uri?: vscode.Uri | string;
  /** Only findings of migrations added after this git revision. */
  since?: string;
}

interface OpenMessage {
  type: 'open';
  file: string;
  line: number;
  column?: number;
}

function isOpenMessage(m: unknown): m is OpenMessage {
  const o = m as Partial<OpenMessage> | null;
  return Boolean(o && o.type === 'open' && typeof o.file === 'string' && typeof o.line === 'number' && Number.isInteger(o.line) && o.line >= 1);
}

/** Opens a file:// location the webview asked for: only files of the workspace or already open documents. */
async function openLocation(m: unknown, reportColumn: vscode.ViewColumn | undefined): Promise<void> {
  if (!isOpenMessage(m)) return;
  let uri: vscode.Uri;
  try {
    uri = vscode.Uri.parse(m.file, true);
  } catch {
    return;
  }
  const known = vscode.workspace.getWorkspaceFolder(uri) !== undefined || vscode.workspace.textDocuments.some((d) => d.uri.toString() === uri.toString());
  if (uri.scheme !== 'file' || !known) return;
  const column = Math.max(0, (typeof m.column === 'number' && Number.isInteger(m.column) ? m.column : 1) - 1);
  const pos = new vscode.Position(m.line - 1, column);
  await vscode.window.showTextDocument(uri, {
    selection: new vscode.Range(pos, pos),
    preview: false,
    viewColumn: reportColumn === vscode.ViewColumn.One ? vscode.ViewColumn.Beside : vscode.ViewColumn.One,
  });
}

export function registerReportCommands(context: vscode.ExtensionContext, getClient: () => LanguageClient): void {
  let panel: vscode.WebviewPanel | undefined;
  let stale = false;
  let timer: NodeJS.Timeout | undefined;

  const render = async (p: vscode.WebviewPanel): Promise<string> => {
    const nonce = randomBytes(18).toString('base64');
    const html = await getClient().sendRequest(ReportRequest, { format: 'html', webview: { nonce, cspSource: p.webview.cspSource } });
    p.webview.html = html;
    stale = false;
    return html;
  };
  const refresh = () => {
    if (!panel) return;
    if (!panel.visible) { stale = true; return; }
    render(panel).catch(() => { stale = true; });
  };

  context.subscriptions.push(
    vscode.commands.registerCommand('sqlArchitect.showReport', async (): Promise<string | undefined> => {
      if (panel) panel.reveal();
      else {
        const p = vscode.window.createWebviewPanel('sqlArchitect.report', 'SQL Architect: Design Review', vscode.ViewColumn.Active, {
          enableScripts: true,
          enableCommandUris: false,
          retainContextWhenHidden: true,
          localResourceRoots: [],
        });
        panel = p;
        p.onDidDispose(() => { if (panel === p) panel = undefined; });
        p.webview.onDidReceiveMessage((m: unknown) => openLocation(m, p.viewColumn).catch((e) => {
          void vscode.window.showErrorMessage(`SQL Architect: cannot open ${(m as OpenMessage).file}: ${(e as Error).message}`);
        }));
        p.onDidChangeViewState((e) => { if (e.webviewPanel.visible && stale) refresh(); });
      }
      try {
        return await render(panel!);
      } catch (e) {
        void vscode.window.showErrorMessage(`SQL Architect: cannot build the report: ${(e as Error).message}`);
        return undefined;
      }
    }),

    vscode.commands.registerCommand('sqlArchitect.exportReport', async (args: ExportArgs = {}): Promise<string | undefined> => {
      const choice = args.format
        ? FORMATS.find((f) => f.format === args.format)
        : await vscode.window.showQuickPick(FORMATS, { title: 'Export the design review report', placeHolder: 'Format' });
      if (!choice) return undefined;
      const folder = vscode.workspace.workspaceFolders?.[0];
      const target = args.uri
        ? (typeof args.uri === 'string' ? vscode.Uri.parse(args.uri) : args.uri)
        : await vscode.window.showSaveDialog({
          title: 'Export SQL Architect report',
          saveLabel: 'Export',
          defaultUri: folder ? vscode.Uri.joinPath(folder.uri, `sql-architect-report.${choice.ext}`) : undefined,
          filters: { [choice.label]: [choice.ext] },
        });
      if (!target) return undefined;
      let text: string;
      try {
        text = await getClient().sendRequest(ReportRequest, {
          format: choice.format,
          since: args.since,
          baseDir: target.scheme === 'file' ? path.dirname(target.fsPath) : undefined,
        });
      } catch (e) {
        void vscode.window.showErrorMessage(`SQL Architect: cannot build the report: ${(e as Error).message}`);
        return undefined;
      }
      await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(text));
      void vscode.window.showInformationMessage(`SQL Architect: ${choice.label} report written to ${vscode.workspace.asRelativePath(target)}.`, 'Open').then((action) => {
        if (action !== 'Open') return;
        if (choice.format === 'html') void vscode.env.openExternal(target);
        else void vscode.window.showTextDocument(target);
      });
      return target.toString();
    }),

    // The report follows the analysis: re-render (debounced) when diagnostics change, or when shown again.
    vscode.languages.onDidChangeDiagnostics(() => {
      if (!panel) return;
      if (timer) clearTimeout(timer);
      timer = setTimeout(refresh, 1000);
    }),
    { dispose: () => { if (timer) clearTimeout(timer); panel?.dispose(); } },
  );
}
