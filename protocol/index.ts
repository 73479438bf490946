// The custom part of the protocol between the VS Code client and the language server: every `sqlArchitect/*`
// request and notification with its parameter and result types, the commands and the initialization options.
// Both sides import these objects, so a method name or a payload cannot drift between them.
import { NotificationType, RequestType, RequestType0 } from 'vscode-languageserver-protocol';
import type { AnalysisSettings, ConfigProblem } from '../rules/index';
import type { VerdictLine } from '../rules/index';

/** The `sqlArchitect.*` settings, read per workspace folder (they are resource-scoped). */
export interface EditorSettings extends AnalysisSettings {
  enable: boolean;
  run: 'onType' | 'onSave';
  scope: 'workspace' | 'openFiles';
  /** A database whose schema the review starts from (read-only), and the server for trace / isolation; empty: embedded PGlite. */
  databaseUrl?: string | null;
}

export interface InitializationOptions {
  /** Commands the client implements itself (VS Code shows rule docs in its Markdown preview). */
  clientCommands?: string[];
  /** Settings for clients without `workspace/configuration`. */
  settings?: Partial<EditorSettings>;
}

/** Re-reads the workspace folders from disk and analyses everything. */
export const ReanalyzeRequest = new RequestType0<ReanalyzeResult, void>('sqlArchitect/reanalyze');
export interface ReanalyzeResult { sets: number; files: number; findings: number }

/** The design review report of the current analysis (what the Problems panel shows). */
export const ReportRequest = new RequestType<ReportParams, string, void>('sqlArchitect/report');
export interface ReportParams {
  format: 'html' | 'md' | 'json' | 'sarif';
  /** Only findings and migration risk of migrations added after this git revision. */
  since?: string;
  /** HTML for the editor's webview: links post messages, the CSP admits the webview's sources and this nonce. */
  webview?: { nonce: string; cspSource: string };
  /** Folder the export is written to: links in Markdown and HTML are relative to it (else file:// URIs). */
  baseDir?: string;
}

/** The set of this document, or every set when absent. */
export interface SetScope { uri?: string }

/** Replays migrations on PostgreSQL: measured locks become inlay hints, real errors `migration-fails` diagnostics. */
export const TraceRequest = new RequestType<SetScope, TraceResult, void>('sqlArchitect/trace');
export interface TraceResult {
  statements: number;
  failures: number;
  /** Statements that took a lock blocking writes on an existing table. */
  blocking: number;
  /** URIs of the traced files. */
  files: string[];
}

/** Proves tenant isolation: each tenant table probed as a role without BYPASSRLS. */
export const VerifyIsolationRequest = new RequestType<SetScope, VerifyIsolationResult, void>('sqlArchitect/verifyIsolation');
export interface VerifyIsolationResult {
  tables: TenantIsolation[];
  /** Each table's verdict as a line, and the counts, worded by the core as the CLI words them. */
  lines: string[];
  summary: string;
}
/** A tenant table, or (perUser) a table whose policies key rows on the signed-in user: see rules/report/isolation.ts. */
export type TenantIsolation = VerdictLine;

/** Sent when an analysis starts and ends (the status bar item). */
export const StatusNotification = new NotificationType<StatusParams>('sqlArchitect/status');
export interface StatusParams {
  state: 'analysing' | 'idle';
  findings: number;
  problems: ConfigProblem[];
  /** The live databases the review starts from (`sqlArchitect.databaseUrl`), by name and host: never the URL. */
  databases?: string[];
}

/** The code action kind of "fix all safe problems" (also for `editor.codeActionsOnSave`). */
export const FIX_ALL_KIND = 'source.fixAll.sqlArchitect';

/** The client's own command that shows a rule's documentation (argument: the rule id). */
export const SHOW_RULE_DOCS_COMMAND = 'sqlArchitect.showRuleDocs';

/** Commands the server executes (`workspace/executeCommand`). */
export const ServerCommands = {
  /** Opens the rule's documentation page (argument: the rule id), for clients without their own command. */
  showRuleDocs: 'sqlArchitect.server.showRuleDocs',
  reanalyze: 'sqlArchitect.server.reanalyze',
} as const;
