// What the output formatters read: the analysed sets and the texts their positions refer to.
import type { SetResult } from '../engine/run';
import type { Finding } from '../engine/types';

export interface OutputInput {
  sets: SetResult[];
  /** File → text of every analysed file. */
  texts: Map<string, string>;
  fileCount: number;
}

/** How a file is named in the output (the CLI: relative to the working directory, POSIX separators). */
export type RelPath = (file: string) => string;

export function allFindings(input: Pick<OutputInput, 'sets'>): Finding[] {
  return input.sets.flatMap((s) => s.findings);
}

/** The input with only the findings `keep` accepts (the --since, --changed-files and baseline filters). */
export function filterFindings<T extends Pick<OutputInput, 'sets'>>(input: T, keep: (f: Finding) => boolean): T {
  return { ...input, sets: input.sets.map((s) => ({ ...s, findings: s.findings.filter(keep) })) };
}

/** The input with only the findings of `files`. */
export function limitToFiles<T extends Pick<OutputInput, 'sets'>>(input: T, files: ReadonlySet<string>): T {
  return filterFindings(input, (f) => files.has(f.file));
}
