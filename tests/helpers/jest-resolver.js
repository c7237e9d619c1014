/**
 * jest's resolver: the default one, except for the requests tests/helpers/lazy-pulumi.js defers,
 * which resolve to its stand-ins under tests/helpers/lazy/ (jest's registry does not use Node's
 * loader, so the `-r` preload cannot reach it).
 */
'use strict';
const path = require('path');
const { deferredFor } = require('./lazy-pulumi');

module.exports = (request, options) => {
  const deferred = deferredFor(options.basedir, request);
  if (deferred) return path.join(__dirname, 'lazy', deferred[2]);
  return options.defaultResolver(request, options);
};
