// `check --format gitlab`: a GitLab Code Quality report (the documented subset of the Code Climate issue format),
// for `artifacts: reports: codequality`. https://docs.gitlab.com/ci/testing/code_quality/
import { findingFingerprints } from '../baseline';
import { allFindings, type OutputInput, type RelPath } from './types';
import { Positions } from './positions';
import { ITEMS, joined, jsonPieces, mapped } from './pieces';
import type { Finding } from '../engine/types';

// GitLab's scale is info, minor, major, critical, blocker; errors rank above warnings in the merge request widget.
const SEVERITY: Record<string, string> = { error: 'major', warning: 'minor', info: 'info' };

export function formatGitlab(input: OutputInput, rel: RelPath): string {
  return joined(gitlabPieces(input, rel));
}

/** formatGitlab in pieces, an issue at a time. */
export function gitlabPieces(input: OutputInput, rel: RelPath): Generator<string> {
  const pos = new Positions(input.texts, input.sets);
  // Fingerprints from the statement's text, not its line: an unchanged finding keeps its identity between
  // pipelines when lines above it move, so GitLab does not report it as fixed and new again.
  const fingerprints = findingFingerprints(input.sets, rel);
  const issue = (f: Finding) => {
    const p = pos.range(f.file, f.start, f.end);
    return {
      description: f.message,
      check_name: f.rule,
      fingerprint: fingerprints.get(f) ?? '',
      severity: SEVERITY[f.severity],
      location: { path: rel(f.file), lines: { begin: p.line, end: p.endLine } },
    };
  };
  return jsonPieces(ITEMS, mapped(allFindings(input), issue));
}
