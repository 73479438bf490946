// Lint: typescript-eslint's recommended rules, plus the fence between the layers (docs/architecture.md draws it).
// Import paths are matched with gitignore-style globs: `**/../pg/**` catches '../pg/x' and '../../pg/engine' from any
// depth, but not './protocol' inside pg/. test/fence.test.ts lints planted imports against this file.
import { builtinModules } from 'node:module';
import tseslint from 'typescript-eslint';

/** Relative import paths that climb to a top-level folder of the repository. */
const folders = (...names) => names.flatMap((n) => [`**/../${n}`, `**/../${n}/**`]);
const LIBPG = { group: ['libpg-query', 'libpg-query/**'], message: 'Only rules/parser/ imports libpg-query: the rest reads the typed model.' };
// Front ends reach the core through its public surface only.
const CORE_SURFACE = { group: ['**/rules/*/**'], message: 'Import the core through rules/index.ts.' };

// Node's modules and the `pg` package by exact name (as globs, 'util' would also match '../catalogue/util').
const NODE_MESSAGE = 'rules/ is the pure analysis core: no file system, process or network (do IO in io/, pg/ or a front end).';
const PACKAGES_MESSAGE = 'rules/ is the pure analysis core: no editor, protocol or database packages.';
const CORE_PATHS = [...builtinModules.map((name) => ({ name, message: NODE_MESSAGE })), { name: 'pg', message: PACKAGES_MESSAGE }];

const CORE = [
  { group: folders('pg', 'io', 'server', 'cli', 'client', 'protocol'), message: 'rules/ is the pure analysis core: it must not depend on front ends, IO or the database.' },
  { group: ['vscode*', 'vscode*/**', 'pg/**', '@electric-sql/**'], message: PACKAGES_MESSAGE },
  { group: ['node:*'], message: NODE_MESSAGE },
];

/** Where each layer's imports may not go. Later blocks do not merge with earlier ones, so each lists everything. */
const zones = [
  { files: ['rules/**/*.ts'], ignores: ['rules/**/*.test.ts', 'rules/testing/**', 'rules/parser/**'], paths: CORE_PATHS, patterns: [...CORE, LIBPG] },
  { files: ['rules/parser/**/*.ts'], ignores: ['rules/**/*.test.ts'], paths: CORE_PATHS, patterns: CORE },
  { files: ['server/**/*.ts'], patterns: [{ group: folders('cli', 'client'), message: 'server/ never imports the CLI or the VS Code client.' }, CORE_SURFACE, LIBPG] },
  { files: ['cli/**/*.ts'], patterns: [{ group: folders('server', 'client', 'protocol'), message: 'cli/ never imports the editor front ends.' }, CORE_SURFACE, LIBPG] },
  { files: ['client/**/*.ts'], patterns: [{ group: folders('rules', 'server', 'cli', 'io', 'pg'), message: 'client/ talks to the server through protocol/ only.' }, LIBPG] },
  { files: ['io/**/*.ts'], patterns: [{ group: folders('server', 'cli', 'client', 'protocol', 'pg'), message: 'io/ is the file system and git, used by the front ends.' }, CORE_SURFACE, LIBPG] },
  { files: ['pg/**/*.ts'], patterns: [{ group: folders('server', 'cli', 'client', 'protocol', 'io'), message: 'pg/ is the database engine, used by the front ends.' }, CORE_SURFACE, LIBPG] },
  {
    files: ['protocol/**/*.ts'],
    patterns: [
      { group: folders('server', 'cli', 'client', 'io', 'pg'), message: 'protocol/ is shared by the client and the server: message types only.' },
      { group: ['**/rules', '**/rules/**'], allowTypeImports: true, message: 'protocol/ takes only types from the core.' },
      LIBPG,
    ],
  },
];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'scratch/**', '.test-tools/**', '**/*.js', '**/*.mjs', '**/*.cjs'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  ...zones.map(({ files, ignores, paths = [], patterns }) => ({
    files,
    ...(ignores ? { ignores } : {}),
    rules: { '@typescript-eslint/no-restricted-imports': ['error', { paths, patterns }] },
  })),
);
