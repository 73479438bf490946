// `check --format text`: file:line:col severity rule message, related locations, the safe recipe, a summary.
import { allFindings, type OutputInput, type RelPath } from './types';
import { Positions } from './positions';
import { joined } from './pieces';

export interface TextOptions {
  rel: RelPath;
  color: boolean;
  /** Lines printed after the summary (the baseline's account). */
  footer?: string[];
}

export function formatText(input: OutputInput, opts: TextOptions): string {
  return joined(textPieces(input, opts));
}

/** formatText in pieces, a line at a time. */
export function* textPieces(input: OutputInput, opts: TextOptions): Generator<string> {
  const { rel, color } = opts;
  const pos = new Positions(input.texts, input.sets);
  const c = (code: string, s: string) => (color ? `\u001b[${code}m${s}\u001b[0m` : s);
  const sevColor: Record<string, string> = { error: '31', warning: '33', info: '36' };
  const findings = allFindings(input);
  for (const f of findings) {
    const p = pos.range(f.file, f.start, f.end);
    yield `${rel(f.file)}:${p.line}:${p.column} ${c(sevColor[f.severity], f.severity)} ${c('2', f.rule)} ${f.message}\n`;
    for (const r of f.related) {
      const rp = pos.range(r.file, r.span.start, r.span.end);
      yield `    ${c('2', `${rel(r.file)}:${rp.line}:${rp.column}`)} ${r.message}\n`;
    }
    if (f.recipe) {
      yield `    ${c('32', 'safe recipe:')}\n`;
      for (const l of f.recipe.split('\n')) yield `      ${l}\n`;
    }
  }
  if (findings.length) yield '\n';
  yield `${summaryLine(input)}\n`;
  for (const l of opts.footer ?? []) yield `${l}\n`;
}

/** `N problems (E errors, W warnings, I info) in F files.` or `No problems found in F files.` */
export function summaryLine(input: OutputInput): string {
  const findings = allFindings(input);
  const n = input.fileCount;
  const files = `${n} file${n === 1 ? '' : 's'}`;
  const count = (s: string) => findings.filter((f) => f.severity === s).length;
  const plural = (k: number, word: string) => `${k} ${word}${k === 1 ? '' : 's'}`;
  return findings.length === 0
    ? `No problems found in ${files}.`
    : `${plural(findings.length, 'problem')} (${plural(count('error'), 'error')}, ${plural(count('warning'), 'warning')}, ${count('info')} info) in ${files}.`;
}
