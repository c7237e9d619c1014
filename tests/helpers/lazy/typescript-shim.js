// A stand-in (tests/helpers/lazy-pulumi.js): @pulumi/pulumi's require('../../typescript-shim'), loaded on first use.
'use strict';
const { lazyModule, realPath } = require('../lazy-pulumi');

module.exports = lazyModule(() => require(realPath('runtime/closure', '../../typescript-shim')));
