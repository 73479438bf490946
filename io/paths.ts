// How the command line names a file: relative to the working directory when inside it, POSIX separators.
import path from 'node:path';

export function displayPath(file: string): string {
  const rel = path.relative(process.cwd(), file);
  return (rel && !rel.startsWith('..') ? rel : file).split(path.sep).join('/');
}
