// Commands backed by the embedded PostgreSQL: trace the locks of the migrations (shown as inlay hints and
// migration-fails diagnostics by the server) and prove tenant isolation.
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { TraceRequest, VerifyIsolationRequest } from '../protocol/index';

export function registerDatabaseCommands(context: vscode.ExtensionContext, getClient: () => LanguageClient): void {
  const output = vscode.window.createOutputChannel('SQL Architect: Tenant Isolation');
  context.subscriptions.push(output);
  const activeUri = () => vscode.window.activeTextEditor?.document.uri.toString();

  context.subscriptions.push(
    vscode.commands.registerCommand('sqlArchitect.traceLocks', async (uri?: string) => {
      const r = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: 'SQL Architect: replaying migrations on embedded PostgreSQL…' },
        () => getClient().sendRequest(TraceRequest, { uri: uri ?? activeUri() }),
      );
      // The server now shows the measured locks as inlay hints next to each statement (editor.inlayHints.enabled).
      void vscode.window.showInformationMessage(
        `SQL Architect: ${r.statements} statements replayed; ${r.blocking} took a lock that blocks writes; ${r.failures} failed on PostgreSQL.`,
      );
      return r;
    }),
    vscode.commands.registerCommand('sqlArchitect.proveIsolation', async (uri?: string) => {
      const r = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: 'SQL Architect: proving tenant isolation on embedded PostgreSQL…' },
        () => getClient().sendRequest(VerifyIsolationRequest, { uri: uri ?? activeUri() }),
      );
      output.clear();
      for (const line of r.lines) output.appendLine(line);
      output.show(true);
      const leaks = r.tables.filter((t) => t.status === 'leaks').length;
      const message = `SQL Architect: ${r.summary}`;
      if (leaks) void vscode.window.showWarningMessage(message); else void vscode.window.showInformationMessage(message);
      return r;
    }),
  );
}
