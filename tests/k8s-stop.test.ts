/**
 * Graceful stop on Kubernetes, for real: each product container's start command runs under sh as
 * PID 1 of a new PID namespace (`unshare --pid --fork --mount-proc`, as a container's main process
 * is), with a stand-in product home (tests/fixtures/k8s/stand-in: a start script shaped like
 * WSO2's, java in a loop without exec and `stop` reading the JVM's pid file; a JVM stand-in that
 * traps TERM and takes a while to stop). A SIGTERM to PID 1, as the kubelet sends, must reach the
 * JVM, and the container's main process must end after the JVM has stopped, inside the pod's
 * grace period. The shape it replaces (`exec sh wso2server.sh`) is run too: there PID 1 ignores
 * the SIGTERM, which is what made every stop end in SIGKILL. The cases are independent (a
 * namespace and a home each) and mostly wait, so they run at once (test.concurrent).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ChildProcess, spawn, spawnSync } from 'child_process';
import { AnalyticsFlavor, ProductProcess, Role, processesFor } from '../topology';
import { MOUNTS } from '../components/kubernetes/paths';
import { startScript } from '../components/kubernetes/scripts';
import { TERMINATION_GRACE_SECONDS } from '../components/kubernetes/product-pod-specs';

const STAND_IN = path.join(__dirname, 'fixtures/k8s/stand-in');
/** How long the JVM stand-in takes to stop after TERM. */
const JVM_STOP_SECONDS = 2;
/**
 * A concurrent test whose body gets a temp dir of its own (removed after), run only after checking
 * that PID namespaces work here (root, util-linux unshare), failing loudly if not.
 */
const maybe = (name: string, body: (dir: string) => Promise<void>, timeout?: number) =>
  test.concurrent(name, async () => {
    expect(spawnSync('unshare', ['--pid', '--fork', '--mount-proc', 'true']).status).toBe(0);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'k8s-stop-'));
    try {
      await body(dir);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, timeout);

/** A product home under `dir` holding the stand-in start script under the process's command, and the JVM stand-in. */
function standInHome(dir: string, proc: ProductProcess): { home: string; stage: string } {
  const home = path.join(dir, 'home');
  const stage = path.join(dir, 'stage');
  fs.mkdirSync(path.join(home, 'bin'), { recursive: true });
  fs.mkdirSync(stage);
  fs.copyFileSync(path.join(STAND_IN, 'product.sh'), path.join(home, proc.command));
  fs.copyFileSync(path.join(STAND_IN, 'java'), path.join(home, 'bin/java'));
  fs.chmodSync(path.join(home, 'bin/java'), 0o755);
  return { home, stage };
}

/** Unref'd, so a timer left in a race keeps no test process alive. */
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms).unref());

async function until(what: string, cond: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

interface Pid1 {
  proc: ChildProcess;
  /** The container's main process: PID 1 inside, this pid outside. */
  pid: number;
  exited: Promise<number | null>;
  out: () => string;
}

/**
 * Runs `script` as PID 1 of a new PID namespace with the stand-in home.
 * @param findPid whether to wait for PID 1's outer pid (not for a process that may be gone at once)
 */
async function asPid1(script: string, home: string, findPid = true): Promise<Pid1> {
  const proc = spawn('unshare', ['--pid', '--fork', '--mount-proc', 'sh', '-c', script, 'container'], {
    env: { ...process.env, WSO2_SERVER_HOME: home, JVM_STOP_SECONDS: String(JVM_STOP_SECONDS) },
  });
  let out = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((r) => proc.on('close', (code) => r(code)));
  let pid = 0;
  if (findPid) await until('the namespace init', () => {
    const r = spawnSync('pgrep', ['-P', String(proc.pid)], { encoding: 'utf8' });
    pid = Number(r.stdout.trim().split('\n')[0]);
    return pid > 0;
  });
  return { proc, pid, exited, out: () => out };
}

const jvmLog = (home: string) => (fs.existsSync(path.join(home, 'jvm.log')) ? fs.readFileSync(path.join(home, 'jvm.log'), 'utf8') : '');

const CASES = (
  [
    ['is', 'sp'],
    ['analytics', 'sp'],
    ['analytics', 'das'],
  ] as [Role, AnalyticsFlavor][]
).flatMap(([role, flavor]) => processesFor(role, flavor).map((p): [Role, AnalyticsFlavor, string, ProductProcess] => [role, flavor, p.name, p]));

describe.each(CASES)('%s (%s) %s container as PID 1', (role, flavor, _name, proc) => {
  maybe(`a SIGTERM reaches the JVM and the container ends once it has stopped, inside the grace period`, async (dir) => {
    const { home, stage } = standInHome(dir, proc);
    const script = startScript(role, proc, [], { flavor }).split(MOUNTS.stage).join(stage);
    const c = await asPid1(script, home);
    await until('the JVM stand-in', () => jvmLog(home).includes('jvm: started') && fs.existsSync(path.join(home, 'wso2carbon.pid')));
    // The JVM is not PID 1: the start shell is, with the product script between them.
    expect(fs.readFileSync(path.join(home, 'wso2carbon.pid'), 'utf8').trim()).not.toBe('1');
    const t0 = Date.now();
    process.kill(c.pid, 'SIGTERM');
    const code = await Promise.race([c.exited, sleep(TERMINATION_GRACE_SECONDS * 1000).then(() => 'grace over')]);
    const elapsed = (Date.now() - t0) / 1000;
    expect([code, jvmLog(home)]).toEqual([0, 'jvm: started\njvm: TERM\njvm: stopped\n']);
    // It waited for the JVM's own stop, and ended well inside the grace period.
    expect(elapsed).toBeGreaterThanOrEqual(JVM_STOP_SECONDS - 0.2);
    expect(elapsed).toBeLessThan(JVM_STOP_SECONDS + 5);
    expect(c.out()).toContain(`start: stopping ${proc.command}`);
  }, 30_000);
});

maybe('the shape it replaces: an exec\'d product script as PID 1 ignores the SIGTERM, the JVM never gets it', async (dir) => {
  const proc = processesFor('is', 'sp')[0];
  const { home } = standInHome(dir, proc);
  const c = await asPid1(`exec sh "$WSO2_SERVER_HOME/${proc.command}"`, home);
  await until('the JVM stand-in', () => jvmLog(home).includes('jvm: started'));
  process.kill(c.pid, 'SIGTERM');
  // A stand-in that got the signal would be gone within milliseconds: a second of nothing says enough.
  const code = await Promise.race([c.exited, sleep(1000).then(() => 'still running')]);
  expect(code).toBe('still running');
  expect(jvmLog(home)).toBe('jvm: started\n');
  process.kill(c.pid, 'SIGKILL'); // what the kubelet does when the grace period is over
  await c.exited;
}, 30_000);

maybe('a product that ends on its own ends the container with its status', async (dir) => {
  const proc = processesFor('is', 'sp')[0];
  const { home, stage } = standInHome(dir, proc);
  fs.writeFileSync(path.join(home, 'bin/java'), '#!/bin/sh\nexit 3\n');
  fs.writeFileSync(path.join(home, proc.command), '#!/bin/sh\n"$(dirname "$0")/java"\n');
  const c = await asPid1(startScript('is', proc, []).split(MOUNTS.stage).join(stage), home, false);
  expect(await c.exited).toBe(3);
}, 30_000);
