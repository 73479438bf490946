// Lint: typescript-eslint's recommended rules, plus the one architectural rule: the analysis core in rules/
// stays pure (no editor, protocol, file system, process or database imports).
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'scratch/**', '.test-tools/**', '**/*.js', '**/*.mjs', '**/*.cjs'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['rules/**/*.ts'],
    ignores: ['rules/**/*.test.ts', 'rules/testing/**'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: ['vscode', 'vscode-languageserver', 'vscode-languageclient', 'fs', 'node:fs', 'fs/promises', 'node:fs/promises',
          'child_process', 'node:child_process', 'net', 'node:net', 'http', 'node:http', 'https', 'node:https', 'pg',
          '@electric-sql/pglite', 'worker_threads', 'node:worker_threads'].map((name) => ({ name, message: 'rules/ is the pure analysis core: do IO in cli/, server/, io/ or pg/.' })),
        patterns: [{ group: ['vscode-languageserver/*', 'vscode-languageclient/*', '../../cli/*', '../cli/*', '../server/*', '../../server/*', '../pg/*', '../io/*'], message: 'rules/ must not depend on front ends or IO.' }],
      }],
    },
  },
);
