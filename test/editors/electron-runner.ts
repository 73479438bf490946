// The extension-host suite (test/editors/vscode-suite) on desktop VS Code through @vscode/test-electron,
// for machines that can download VS Code (or have one installed). NOT part of `npm test`: this machine
// cannot download desktop VS Code, so the same suite runs there on code-server instead (test/vscode.test.ts,
// "mode A"; see /work/shared/docs/real-clients.md).
//
//   node scripts/build.mjs && npx tsx test/editors/electron-runner.ts
//
// Env: VSCODE_EXECUTABLE_PATH  use this VS Code binary instead of downloading one
//      VSCODE_VERSION          version to download (default "stable"; engines.vscode needs >= 1.91)
//      SQLA_SUITE_GREP         run only the suite tests whose title matches
// Exits with the extension host's exit code (0 = every test passed). On headless Linux run it under
// xvfb-run.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runTests } from '@vscode/test-electron';

const REPO_ROOT = path.resolve(__dirname, '..', '..');

async function main(): Promise<number> {
  for (const f of ['dist/extension.js', 'dist/server.js']) {
    if (!fs.existsSync(path.join(REPO_ROOT, f))) throw new Error(`${f} is missing: run node scripts/build.mjs`);
  }
  // The suite edits and saves files: run it on a copy of the fixture workspace.
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'sqla-electron-'));
  const workspace = path.join(scratch, 'workspace');
  fs.cpSync(path.join(REPO_ROOT, 'test', 'fixtures', 'workspace'), workspace, { recursive: true });
  try {
    return await runTests({
      version: process.env.VSCODE_VERSION ?? 'stable',
      vscodeExecutablePath: process.env.VSCODE_EXECUTABLE_PATH || undefined,
      extensionDevelopmentPath: REPO_ROOT,
      extensionTestsPath: path.join(REPO_ROOT, 'test', 'editors', 'vscode-suite', 'index.js'),
      launchArgs: [
        workspace,
        '--disable-extensions', // other installed extensions (built-ins such as the sql language stay)
        '--disable-workspace-trust',
        '--skip-welcome',
        '--skip-release-notes',
        `--user-data-dir=${path.join(scratch, 'user-data')}`,
        `--extensions-dir=${path.join(scratch, 'extensions')}`,
      ],
    });
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error('electron-runner: the extension tests failed or VS Code could not be started:', err);
    process.exit(1);
  },
);
