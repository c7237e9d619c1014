/**
 * setupFilesAfterEnv of both tiers. Every Pulumi resource constructor records where user code made
 * it: `Resource.callsites()` (@pulumi/pulumi/resource.js) reads `new Error().stack` at full depth.
 * Under jest that stack goes through the source-map-support jest installs, which reads and parses
 * the .js.map of every @pulumi/* frame (and maps ours): about 0.3 s of CPU per program run in a
 * test file, for positions the mock engine ignores. Only that one stack is formatted the way V8
 * does by default; every other error keeps jest's mapped stack.
 */
'use strict';
const mapped = Error.prepareStackTrace;

if (mapped) {
  const CALLSITES_FILE = /[\\/]@pulumi[\\/]pulumi[\\/]resource\.js$/;
  Error.prepareStackTrace = function prepareStackTrace(error, frames) {
    const top = frames[0];
    if (top && top.getFunctionName() === 'callsites' && CALLSITES_FILE.test(top.getFileName() ?? '')) {
      return `${error}${frames.map((f) => `\n    at ${f}`).join('')}`;
    }
    return mapped(error, frames);
  };
}
