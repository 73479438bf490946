// The CLI's project: loaded from disk by io/project.ts through the core's pipeline (rules/project/pipeline.ts),
// the same pipeline the language server runs.
export { loadProjectFromDisk as loadProject, type LoadOptions } from '../io/project';
export type { Project as ProjectResult } from '../rules/index';

/** A command-line mistake: exit 2 with the message and a pointer to --help. */
export class UsageError extends Error {}
