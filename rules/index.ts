// The analysis core's public surface. Front ends (cli/, server/, pg/) import from here only.
export { initParser, parseFile, LineIndex, StatementCache, type ParsedFile } from './parser/adapter';
export { analyzeSet, ParseCache, statementContaining, type SetInput, type SetResult, type FileInput, type StatementFacts, type AnalyzeOptions } from './engine/run';
export { allRules, allRuleMeta, allRuleIds, metaRules, ruleMeta, docsUrl } from './engine/registry';
export { defaultConfig, resolveConfig, ConfigError, DEFAULT_TENANT_COLUMNS, type IsolationConfig, type ResolvedConfig, type RuleSetting, type TenantContextConfig } from './engine/config';
export { groupMigrationSets, orderMigrations, followUpMigrationPath, migrationVersion, isDownMigration, type MigrationFile } from './engine/migrations';
export { applyEdits, applyFixEdits } from './engine/edits';
export { lockPlan, blocks, modeName, cannotRunInTransaction, type LockEntry, type LockPlan } from './locks';
export { SchemaModel, displayName, tableKey } from './model/schema';
export { tenantTables, type TenantTable } from './catalogue/util';
export type * from './model/types';
export type * from './engine/types';
export { buildReport, type ReportOptions } from './report/model';
export { renderMarkdown, type RenderOptions } from './report/render-md';
export { renderHtml, type HtmlOptions } from './report/render-html';
export { renderJson } from './report/render-json';
export { escapeHtml, defaultHref } from './report/escape';
export type * from './report/types';
