/**
 * jest globalSetup (both tiers), run once before any worker starts; workers inherit its
 * process.env.
 *
 * JVM start-up flags for the tests' JVMs. The system tier starts well over a hundred JVMs
 * (keytool in every keystores step of the EC2 boot, the Kubernetes phases and the applier tests;
 * java and javac for the TLS and properties checks), each short-lived, so most of their CPU goes
 * to the JIT compilers and the parallel collector warming up for work that never comes. Wrappers
 * named keytool, java and javac, first on PATH, exec the real tools with a single C1 compiler
 * thread and the serial collector: the same JDK, the same classes and results, about a third less
 * CPU per start. A test that sets its own PATH (or JAVA_HOME) gets the plain tools.
 *
 * The plan cache: an empty directory for this run (PATTERN2_PLAN_CACHE), filled lazily by the
 * system tier's plan tests (tests/fixtures/plan/run-plan.ts `sharedPlan`), so a plan several
 * files read runs once per run; tests/helpers/global-teardown.js removes it.
 */
'use strict';
const { execFileSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

/** Flags for a JVM started by the launcher itself (java); keytool and javac take them as -J<flag>. */
const JVM_FLAGS = ['-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1', '-XX:CICompilerCount=1'];

function realTool(name) {
  try {
    return fs.realpathSync(execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim());
  } catch {
    return undefined;
  }
}

function jvmWrappers() {
  const bin = path.join(os.tmpdir(), `pattern2-test-jvm-${process.getuid?.() ?? 'user'}`, 'bin');
  fs.mkdirSync(bin, { recursive: true });
  for (const name of ['java', 'javac', 'keytool']) {
    const real = realTool(name);
    if (!real || real.startsWith(bin)) continue;
    const flags = name === 'java' ? JVM_FLAGS : JVM_FLAGS.map((f) => `-J${f}`);
    const body = `#!/bin/sh\n# tests/helpers/global-setup.js: the real ${name}, with quicker start-up flags\nexec ${real} ${flags.join(' ')} "$@"\n`;
    const file = path.join(bin, name);
    // Written beside and renamed: a concurrent jest run may be executing the wrapper right now.
    const tmp = `${file}.${process.pid}`;
    fs.writeFileSync(tmp, body, { mode: 0o755 });
    fs.renameSync(tmp, file);
  }
  if (!(process.env.PATH ?? '').split(':').includes(bin)) process.env.PATH = `${bin}:${process.env.PATH ?? ''}`;
}

module.exports = async function globalSetup() {
  jvmWrappers();
  process.env.PATTERN2_PLAN_CACHE = fs.mkdtempSync(path.join(os.tmpdir(), 'pattern2-plan-cache-'));
};
