/**
 * Jest's node environment, and one thing more for the worker process that loads it: when the
 * worker has nothing left to do (jest has sent it the end of the run), it leaves through
 * process.exit rather than by running out of work. A worker ends a run holding several hundred MB
 * of heap (every file it ran allocated there), and a Node process that ends by running out of
 * work frees all of it before it goes (about 0.5 s for 650 MB here); process.exit runs the same
 * 'exit' listeners and skips the freeing. Jest waits 0.5 s for a worker before killing it and
 * warning that it "failed to exit gracefully", which is what the freeing used to cost.
 */
'use strict';
const { TestEnvironment } = require('jest-environment-node');

// This module is evaluated once per worker process (environments live outside the test sandbox).
// 'beforeExit' is only emitted when the event loop is empty: the process was about to end anyway.
process.once('beforeExit', () => process.exit());

module.exports = TestEnvironment;
