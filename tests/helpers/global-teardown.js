/**
 * jest globalTeardown (both tiers): removes this run's plan cache (tests/helpers/global-setup.js).
 */
'use strict';
const fs = require('fs');

module.exports = async function globalTeardown() {
  const dir = process.env.PATTERN2_PLAN_CACHE;
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
};
