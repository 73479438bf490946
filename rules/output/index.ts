// The output formats of `sql-architect check`, shared by the CLI and the language server (SARIF export). Pure:
// strings out (whole, or in pieces for large reports); the caller decides where they go.
export { allFindings, filterFindings, limitToFiles, type OutputInput, type RelPath } from './types';
export { Positions, messageWithRecipe, type Position } from './positions';
export { BATCH, batched, ITEMS, joined, jsonPieces } from './pieces';
export { formatText, textPieces, summaryLine, type TextOptions } from './text';
export { formatJson, jsonFormatPieces } from './json';
export { formatSarif, sarifPieces } from './sarif';
export { formatGithub, githubPieces } from './github';
export { formatGitlab, gitlabPieces } from './gitlab';
export { formatJunit, junitPieces } from './junit';
