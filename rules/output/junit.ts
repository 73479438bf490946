// `check --format junit`: JUnit XML for CI systems that show test reports. One test suite per analysed file, one
// failing test case per finding; a file without findings is one passing test case.
import { escapeXml } from '../report/escape';
import { allFindings, type OutputInput, type RelPath } from './types';
import { messageWithRecipe, Positions } from './positions';
import { joined } from './pieces';
import { pushTo } from '../model/group';

export function formatJunit(input: OutputInput, rel: RelPath): string {
  return joined(junitPieces(input, rel));
}

/** formatJunit in pieces, a test suite at a time. */
export function* junitPieces(input: OutputInput, rel: RelPath): Generator<string> {
  const pos = new Positions(input.texts, input.sets);
  const findings = allFindings(input);
  const files = [...new Set([...input.texts.keys(), ...findings.map((f) => f.file)])].sort((a, b) => (rel(a) < rel(b) ? -1 : rel(a) > rel(b) ? 1 : 0));
  const byFile = new Map<string, typeof findings>();
  for (const f of findings) pushTo(byFile, f.file, f);
  const total = files.reduce((n, f) => n + Math.max(1, byFile.get(f)?.length ?? 0), 0);
  yield `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="sql-architect" tests="${total}" failures="${findings.length}" errors="0" time="0">\n`;
  for (const file of files) {
    const name = escapeXml(rel(file), true);
    const mine = byFile.get(file) ?? [];
    yield `  <testsuite name="${name}" tests="${Math.max(1, mine.length)}" failures="${mine.length}" errors="0" skipped="0" time="0">\n`;
    for (const f of mine) {
      const p = pos.range(f.file, f.start, f.end);
      const firstLine = f.message.split('\n')[0];
      const body = `${rel(f.file)}:${p.line}:${p.column} ${f.severity} ${f.rule}\n${messageWithRecipe(f)}`;
      yield `    <testcase classname="${name}" name="${escapeXml(`${f.rule} at ${p.line}:${p.column}`, true)}" file="${name}" line="${p.line}" time="0">\n`
        + `      <failure type="${f.severity}" message="${escapeXml(firstLine, true)}">${escapeXml(body)}</failure>\n    </testcase>\n`;
    }
    if (!mine.length) yield `    <testcase classname="${name}" name="no problems" file="${name}" time="0"/>\n`;
    yield '  </testsuite>\n';
  }
  yield '</testsuites>\n';
}
