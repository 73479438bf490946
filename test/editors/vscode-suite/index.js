// Extension-host test entry (`extensionTestsPath`): VS Code loads this module inside its extension host,
// with the extension under development loaded, and calls run(). A rejected promise makes the extension
// host exit non-zero, which is how failures reach the runner (test/vscode.test.ts on code-server, or
// test/editors/electron-runner.ts with desktop VS Code).
//
// The suites run in this order (later ones edit the documents earlier ones read). SQLA_SUITE_GREP in the
// environment of code-server / VS Code filters tests by title.
const path = require('node:path');
const util = require('node:util');
const { log } = require('./helpers');

const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
const SUITES = ['activation', 'diagnostics', 'hover', 'settings', 'quick-fixes', 'fix-all', 'commands', 'report', 'database'];

exports.run = function run() {
  // The repo's mocha, by absolute path: the extension host's module paths do not include the repo.
  const Mocha = require(path.join(REPO_ROOT, 'node_modules', 'mocha'));
  // The extension host forwards console.log's arguments unformatted: format mocha's '%s' lines here.
  Mocha.reporters.Base.consoleLog = (...args) => log(util.format(...args));
  const mocha = new Mocha({ ui: 'bdd', color: false, reporter: 'spec', timeout: 60000, slow: 5000 });
  if (process.env.SQLA_SUITE_GREP) mocha.grep(process.env.SQLA_SUITE_GREP);
  for (const s of SUITES) mocha.addFile(path.join(__dirname, `${s}.suite.js`));
  const results = [];
  return new Promise((resolve, reject) => {
    let runner;
    try {
      runner = mocha.run((failures) => {
        // One machine-readable line for the runner outside (it prints and checks it).
        log(`SQLA_SUITE_RESULT ${JSON.stringify({ failures, tests: results })}`);
        mocha.dispose();
        if (failures > 0) reject(new Error(`${failures} extension-host test${failures === 1 ? '' : 's'} failed`));
        else resolve();
      });
    } catch (e) {
      reject(e);
      return;
    }
    runner.on('pass', (t) => results.push({ title: t.fullTitle(), state: 'passed', ms: t.duration }));
    runner.on('fail', (t, err) => results.push({ title: t.fullTitle(), state: 'failed', error: String((err && err.stack) || err) }));
    runner.on('pending', (t) => results.push({ title: t.fullTitle(), state: 'skipped' }));
  });
};
