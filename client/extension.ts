// The VS Code extension: starts the language server over stdio and adds the commands. Thin: every finding,
// fix and hover comes from the server. Stdio, not IPC: the server writes a file's thousands of diagnostics in pieces
// there (server/stdio-writer.ts), while Node's IPC channel stringifies and copies each message whole (an edit of a
// migration with 3,500 findings: 128–138 ms over IPC, 109–122 ms over stdio, the same server).
import * as path from 'node:path';
import * as vscode from 'vscode';
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';
import { registerReportCommands } from './reports';
import { registerDatabaseCommands } from './database';
import { FIX_ALL_KIND, ReanalyzeRequest, SHOW_RULE_DOCS_COMMAND, StatusNotification, type InitializationOptions } from '../protocol/index';

let client: LanguageClient | undefined;

/** The PostgreSQL language ids of popular SQL extensions, besides VS Code's own `sql`. */
export const LANGUAGE_IDS = ['sql', 'pgsql', 'postgres', 'postgresql', 'psql', 'pgsql-migrations'];

export async function activate(context: vscode.ExtensionContext): Promise<{ client: LanguageClient }> {
  const serverModule = context.asAbsolutePath(path.join('dist', 'server.js'));
  const serverOptions: ServerOptions = {
    run: { module: serverModule, transport: TransportKind.stdio },
    debug: { module: serverModule, transport: TransportKind.stdio, options: { execArgv: ['--nolazy', '--inspect=6009'] } },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: LANGUAGE_IDS.flatMap((language) => [{ scheme: 'file', language }, { scheme: 'untitled', language }]),
    synchronize: { configurationSection: 'sqlArchitect' },
    initializationOptions: { clientCommands: [SHOW_RULE_DOCS_COMMAND] } satisfies InitializationOptions,
    diagnosticCollectionName: 'sql-architect',
  };
  client = new LanguageClient('sqlArchitect', 'SQL Architect', serverOptions, clientOptions);

  const status = vscode.window.createStatusBarItem(vscode.StatusBarAlignment.Left, 10);
  status.name = 'SQL Architect';
  status.command = 'workbench.actions.view.problems';
  status.text = '$(loading~spin) SQL Architect: analysing…';
  status.show();
  context.subscriptions.push(status);

  context.subscriptions.push(
    vscode.commands.registerCommand('sqlArchitect.showRuleDocs', async (rule: string) => {
      const doc = vscode.Uri.file(context.asAbsolutePath(path.join('docs', 'rules', `${rule}.md`)));
      await vscode.commands.executeCommand('markdown.showPreview', doc);
    }),
    vscode.commands.registerCommand('sqlArchitect.reanalyzeWorkspace', async () => {
      status.text = '$(loading~spin) SQL Architect: analysing…';
      const r = await client!.sendRequest(ReanalyzeRequest);
      void vscode.window.setStatusBarMessage(`SQL Architect: ${r.findings} findings in ${r.files} files`, 5000);
      return r;
    }),
    vscode.commands.registerCommand('sqlArchitect.applySafeFixes', async () => {
      const editor = vscode.window.activeTextEditor;
      if (!editor) return false;
      const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>(
        'vscode.executeCodeActionProvider', editor.document.uri, new vscode.Range(0, 0, 0, 0), FIX_ALL_KIND,
      );
      const fixAll = actions?.find((a) => a.kind?.value === FIX_ALL_KIND && a.edit);
      if (!fixAll?.edit) {
        void vscode.window.showInformationMessage('SQL Architect: no safe fixes in this file.');
        return false;
      }
      return vscode.workspace.applyEdit(fixAll.edit);
    }),
  );
  registerReportCommands(context, () => client!);
  registerDatabaseCommands(context, () => client!);

  // Shown while a live database (sqlArchitect.databaseUrl) backs the review: the server sends its name, never the URL.
  const live = vscode.window.createStatusBarItem(vscode.StatusBarAlignment.Left, 9);
  live.name = 'SQL Architect: live database';
  context.subscriptions.push(live);

  client.onNotification(StatusNotification, (p) => {
    status.text = p.state === 'analysing' ? '$(loading~spin) SQL Architect: analysing…' : `$(database) SQL Architect: ${p.findings}`;
    status.tooltip = `SQL Architect: ${p.findings} finding${p.findings === 1 ? '' : 's'} in the workspace's migrations`;
    if (p.databases?.length) {
      live.text = `$(plug) ${p.databases.join(', ')}`;
      live.tooltip = `SQL Architect: the migrations are reviewed on top of the schema of ${p.databases.join(', ')}, read-only (sqlArchitect.databaseUrl); lock findings say its table sizes.`;
      live.show();
    } else live.hide();
  });
  await client.start();
  return { client };
}

export async function deactivate(): Promise<void> {
  await client?.stop();
}
