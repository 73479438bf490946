// `-- sql-architect-ignore rule-a, rule-b: why` before a statement, `-- sql-architect-ignore-file …` anywhere.
import type { IgnoreDirective } from '../model/types';
import type { Comment } from './lexer';

const IGNORE_RE = /^--\s*sql-architect-ignore(-file)?\b\s*([^:]*)(?::\s*(.*))?$/;

/** The ignore directives among comments (the comments between two statements belong to the second). */
export function ignoreDirectives(comments: Comment[]): IgnoreDirective[] {
  const out: IgnoreDirective[] = [];
  for (const c of comments) {
    const m = IGNORE_RE.exec(c.text.trim());
    if (!m) continue;
    const rules = m[2].split(/[\s,]+/).filter(Boolean);
    out.push({ rules, reason: m[3]?.trim() || undefined, file: Boolean(m[1]), span: { start: c.start, end: c.end } });
  }
  return out;
}
