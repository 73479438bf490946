// The output formats of `sql-architect check`, shared by the CLI and the language server (SARIF export). Pure:
// strings out; the caller decides where they go.
export { allFindings, filterFindings, limitToFiles, type OutputInput, type RelPath } from './types';
export { Positions, messageWithRecipe, type Position } from './positions';
export { formatText, summaryLine, type TextOptions } from './text';
export { formatJson } from './json';
export { formatSarif } from './sarif';
export { formatGithub } from './github';
export { formatGitlab } from './gitlab';
export { formatJunit } from './junit';
