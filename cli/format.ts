// The CLI's view of the output formats (rules/output): files named relative to the working directory.
import { formatGithub, formatGitlab, formatJson, formatJunit, formatSarif, formatText, type OutputInput } from '../rules/index';

import { displayPath } from '../io/paths';

export { allFindings } from '../rules/index';
export { displayPath };

export const CHECK_FORMATS = ['text', 'json', 'sarif', 'github', 'gitlab', 'junit'] as const;
export type CheckFormat = (typeof CHECK_FORMATS)[number];

export function formatCheck(format: CheckFormat, input: OutputInput, opts: { version: string; color: boolean; footer?: string[] }): string {
  switch (format) {
    case 'json': return formatJson(input, displayPath);
    case 'sarif': return formatSarif(input, opts.version, displayPath);
    case 'github': return formatGithub(input, displayPath);
    case 'gitlab': return formatGitlab(input, displayPath);
    case 'junit': return formatJunit(input, displayPath);
    default: return formatText(input, { rel: displayPath, color: opts.color, footer: opts.footer });
  }
}
