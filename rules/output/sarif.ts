// `check --format sarif`: SARIF 2.1.0 with rules, help, help URIs and fixes (GitHub code scanning, the editor's export).
import { allRuleMeta, docsUrl } from '../engine/registry';
import type { Finding, TextEdit } from '../engine/types';
import { allFindings, type OutputInput, type RelPath } from './types';
import { messageWithRecipe, Positions } from './positions';
import { ITEMS, joined, jsonPieces, mapped } from './pieces';
import { pushTo } from '../model/group';

const SARIF_LEVEL: Record<string, string> = { error: 'error', warning: 'warning', info: 'note' };

/** `rel` turns a file into the SARIF artifact URI. */
export function formatSarif(input: OutputInput, version: string, rel: RelPath): string {
  return joined(sarifPieces(input, version, rel));
}

/** formatSarif in pieces, one result at a time. */
export function sarifPieces(input: OutputInput, version: string, rel: RelPath): Generator<string> {
  const pos = new Positions(input.texts, input.sets);
  const rules = allRuleMeta.map((r) => ({
    id: r.id,
    name: r.id.replace(/(^|-)([a-z])/g, (_m, _d, ch: string) => ch.toUpperCase()),
    shortDescription: { text: r.title },
    fullDescription: { text: r.rationale },
    help: {
      text: `${r.rationale}\n\nInstead of:\n${r.docs.bad}\n\nUse:\n${r.docs.good}`,
      markdown: `${r.rationale}\n\n**Instead of**\n\n\`\`\`sql\n${r.docs.bad}\n\`\`\`\n\n**Use**\n\n\`\`\`sql\n${r.docs.good}\n\`\`\``,
    },
    helpUri: docsUrl(r.id),
    defaultConfiguration: { level: SARIF_LEVEL[r.defaultSeverity] },
    properties: { category: r.category, fixable: r.fixable },
  }));
  const ruleIndex = new Map(rules.map((r, i) => [r.id, i]));
  const region = (file: string, start: number, end: number) => {
    const p = pos.range(file, start, end);
    return { startLine: p.line, startColumn: p.column, endLine: p.endLine, endColumn: p.endColumn };
  };
  const result = (f: Finding) => ({
    ruleId: f.rule,
    ruleIndex: ruleIndex.get(f.rule) ?? -1,
    level: SARIF_LEVEL[f.severity],
    message: { text: messageWithRecipe(f) },
    locations: [{ physicalLocation: { artifactLocation: { uri: rel(f.file) }, region: region(f.file, f.start, f.end) } }],
    ...(f.related.length ? {
      relatedLocations: f.related.map((r, i) => ({
        id: i + 1, message: { text: r.message },
        physicalLocation: { artifactLocation: { uri: rel(r.file) }, region: region(r.file, r.span.start, r.span.end) },
      })),
    } : {}),
    ...(f.fixes.length ? {
      fixes: f.fixes.map((x) => {
        const byFile = new Map<string, TextEdit[]>();
        for (const e of x.edits) pushTo(byFile, e.file ?? f.file, e);
        return {
          description: { text: x.title + (x.safe ? '' : ' (review before applying)') },
          artifactChanges: [...byFile].map(([file, edits]) => ({
            artifactLocation: { uri: rel(file) },
            replacements: edits.map((e) => ({
              deletedRegion: input.texts.has(file) ? region(file, e.start, e.end) : { startLine: 1, startColumn: 1, endLine: 1, endColumn: 1 },
              insertedContent: { text: e.newText },
            })),
          })),
        };
      }),
    } : {}),
  });
  const log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [{
      tool: { driver: { name: 'sql-architect', informationUri: 'https://github.com/sql-architect/sql-architect', version, semanticVersion: version, rules } },
      columnKind: 'utf16CodeUnits',
      results: ITEMS,
    }],
  };
  return jsonPieces(log, mapped(allFindings(input), result));
}
