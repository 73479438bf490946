// The analysis core's public surface. Front ends (cli/, server/, pg/) import from here only.
export { initParser, parseFile, LineIndex, StatementCache, type ParsedFile } from './parser/adapter';
export { analyzeSet, ParseCache, statementContaining, type SchemaBaseline, type SetInput, type SetResult, type FileInput, type StatementFacts, type AnalyzeOptions } from './engine/run';
export { allRules, allRuleMeta, allRuleIds, metaRules, ruleMeta, docsUrl } from './engine/registry';
export { formatMessage, reportMessage } from './engine/messages';
export { analysisLimitRule, migrationFailsRule } from './engine/meta-rules';
export { defaultConfig, resolveConfig, ConfigError, type ResolvedConfig, type RuleSetting, type TenantContextConfig } from './engine/config';
export { groupMigrationSets, migrationFolder, notRunOnPostgres, orderMigrations, followUpMigrationPath, type MigrationFile } from './engine/migrations';
export { applyEdits, applyFixEdits } from './engine/edits';
export {
  planProject, analyzeProject, analyzePlannedSet, setInputs, setBaseline, innermostFolder, resolvePath,
  type ProjectFolder, type PlanOptions, type SetPlan, type ProjectPlan, type ConfigProblem, type Project,
} from './project/pipeline';
export { settingsToConfig, parseConfigSource, type AnalysisSettings, type ConfigSource } from './project/config';
export { fixPriority } from './project/fix-order';
export { isOlderMigration, newestMigration, safeFixesForFile } from './engine/fix-all';
export { lockPlan, blocks, modeName, cannotRunInTransaction, type LockEntry, type LockPlan } from './locks';
export { SchemaModel, displayName, tableKey } from './model/schema';
export { pushTo } from './model/group';
export { catalogSql, catalogBaseline, quoteIdentifier, type CatalogSnapshot, type CatalogTable, type CatalogColumn, type CatalogConstraint, type CatalogPolicy } from './model/catalog';
export { tableSize, sizeText, isSmall, type TableSize } from './engine/sizes';
export { tenantTables, userKeyOf, userTables, type TenantTable, type UserTable } from './catalogue/util';
export { isolationLine, isolationSummary, type IsolationVerdict, type VerdictLine } from './report/isolation';
export type * from './model/types';
export type * from './engine/types';
export { buildReport, sensitiveColumnsOf, type ReportOptions } from './report/model';
export { explainLines, inferredSet } from './report/inferred';
export { renderMarkdown, type RenderOptions } from './report/render-md';
export { renderHtml, type HtmlOptions } from './report/render-html';
export { renderJson } from './report/render-json';
export { escapeHtml, escapeXml, defaultHref } from './report/escape';
export type * from './report/types';
export * from './output/index';
export { BASELINE_FILE, createBaseline, findingFingerprints, matchBaseline, parseBaseline, serializeBaseline, type Baseline, type BaselineEntry, type BaselineMatch } from './baseline';
export { remembered } from './model/remember';
