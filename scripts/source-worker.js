// Runs a worker thread's entry from the TypeScript sources, the way jest runs the tests around it: .ts files
// compiled by @swc/core (the compiler @swc/jest uses, same target) and @plumbline/* resolved to their sources
// with jest.preset.js's own moduleNameMapper. A service started from its sources (jest) starts its worker
// threads with `new Worker(sourceWorkerScript(entry), { eval: true, ... })`, so the thread runs the code the test
// sees, not a build in dist/ that may be stale or missing. Development only: never loaded from a build.
'use strict';
const Module = require('node:module');
const fs = require('node:fs');
const path = require('node:path');

let registered = false;

function register() {
  if (registered) return;
  registered = true;
  // Required here, in the worker only: the thread that starts the worker needs nothing but sourceWorkerScript.
  const { transformSync } = require('@swc/core');
  const preset = require('../jest.preset.js');
  const mapper = Object.entries(preset('source-worker').moduleNameMapper).map(([pattern, target]) => [
    new RegExp(pattern),
    target,
  ]);
  const resolveFilename = Module._resolveFilename;
  Module._resolveFilename = function (request, ...rest) {
    for (const [pattern, target] of mapper) {
      if (pattern.test(request)) return resolveFilename.call(this, request.replace(pattern, target), ...rest);
    }
    return resolveFilename.call(this, request, ...rest);
  };
  Module._extensions['.ts'] = function (module, filename) {
    const { code } = transformSync(fs.readFileSync(filename, 'utf8'), {
      filename,
      sourceMaps: 'inline',
      module: { type: 'commonjs' },
      jsc: { target: 'es2022', parser: { syntax: 'typescript' } },
    });
    module._compile(code, filename);
  };
}

/** Loads `entry` (an absolute path to a .ts file) from source in this thread. */
function run(entry) {
  register();
  require(path.resolve(entry));
}

/** The `eval: true` script of a worker thread that runs `entry` from source. */
function sourceWorkerScript(entry) {
  return `require(${JSON.stringify(__filename)}).run(${JSON.stringify(entry)});`;
}

module.exports = { run, sourceWorkerScript };
