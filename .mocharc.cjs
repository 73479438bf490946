// Rule tests run from TypeScript source through tsx; front-end tests run the built bundles in dist/.
module.exports = {
  require: ['tsx/cjs'],
  extension: ['ts'],
  spec: ['rules/**/*.test.ts', 'test/**/*.test.ts'],
  timeout: 120000,
  reporter: require('node:path').join(__dirname, 'test/reporter.cjs'),
};
