// CommonJS shim so the mocha CLI can load the TypeScript reporter through tsx.
require('tsx/cjs');
module.exports = require('./countingReporter.ts').CountingReporter;
