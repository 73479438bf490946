// The CLI's view of the output formats (rules/output): files named relative to the working directory.
import { batched, githubPieces, remembered, gitlabPieces, jsonFormatPieces, junitPieces, sarifPieces, textPieces, type OutputInput } from '../rules/index';

import { displayPath as displayPathOf } from '../io/paths';

export { allFindings } from '../rules/index';
export { displayPathOf as displayPath };

export const CHECK_FORMATS = ['text', 'json', 'sarif', 'github', 'gitlab', 'junit'] as const;
export type CheckFormat = (typeof CHECK_FORMATS)[number];

/** The report in strings of about 64 kB, to be written as they come: a large report is never one string. */
export function formatCheck(format: CheckFormat, input: OutputInput, opts: { version: string; color: boolean; footer?: string[] }): Iterable<string> {
  return batched(checkPieces(format, input, opts));
}

function checkPieces(format: CheckFormat, input: OutputInput, opts: { version: string; color: boolean; footer?: string[] }): Iterable<string> {
  // Worked out once per file: a report names the same few files tens of thousands of times.
  const displayPath = remembered(displayPathOf);
  switch (format) {
    case 'json': return jsonFormatPieces(input, displayPath);
    case 'sarif': return sarifPieces(input, opts.version, displayPath);
    case 'github': return githubPieces(input, displayPath);
    case 'gitlab': return gitlabPieces(input, displayPath);
    case 'junit': return junitPieces(input, displayPath);
    default: return textPieces(input, { rel: displayPath, color: opts.color, footer: opts.footer });
  }
}

