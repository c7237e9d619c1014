/**
 * `node -r` this file: Node's module loader hands out the deferred stand-ins of
 * tests/helpers/lazy-pulumi.js (test-only; see there).
 */
'use strict';
const Module = require('module');
const path = require('path');
const { deferredFor, lazyModule } = require('./lazy-pulumi');

const load = Module._load;
Module._load = function deferringLoad(request, parent, isMain) {
  if (parent?.filename && deferredFor(path.dirname(parent.filename), request)) {
    return lazyModule(() => load.call(this, request, parent, isMain));
  }
  return load.call(this, request, parent, isMain);
};
