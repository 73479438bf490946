// `check --format github`: GitHub Actions workflow commands, which the runner turns into annotations on the pull
// request. https://docs.github.com/en/actions/reference/workflow-commands-for-github-actions
import { allFindings, type OutputInput, type RelPath } from './types';
import { messageWithRecipe, Positions } from './positions';
import { summaryLine } from './text';
import { joined } from './pieces';

const COMMAND: Record<string, string> = { error: 'error', warning: 'warning', info: 'notice' };

// The runner's escaping (as @actions/core writes it): data escapes %, CR and LF; property values also : and ,.
function escapeData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

export function formatGithub(input: OutputInput, rel: RelPath): string {
  return joined(githubPieces(input, rel));
}

/** formatGithub in pieces, a command at a time. */
export function* githubPieces(input: OutputInput, rel: RelPath): Generator<string> {
  const pos = new Positions(input.texts, input.sets);
  for (const f of allFindings(input)) {
    const p = pos.range(f.file, f.start, f.end);
    // Property order as in @actions/core: title, file, line, endLine, col, endColumn.
    const props: [string, string | number][] = [['title', f.rule], ['file', rel(f.file)], ['line', p.line], ['endLine', p.endLine], ['col', p.column], ['endColumn', p.endColumn]];
    yield `::${COMMAND[f.severity]} ${props.map(([k, v]) => `${k}=${escapeProperty(String(v))}`).join(',')}::${escapeData(messageWithRecipe(f))}\n`;
  }
  // A plain line is log text, not a command: the summary for whoever reads the job log.
  yield `${summaryLine(input)}\n`;
}
