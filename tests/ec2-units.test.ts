/**
 * The systemd units an EC2 node runs: the config oneshot the user-data installs and the product
 * units the boot script writes. Checked as data (parsed unit files), since the boot ordering they
 * take part in (cloud-init's units, multi-user.target) only exists on a real node. How a unit stops
 * is also run for real, without systemd: a stand-in start script shaped like the products' (java
 * run by a loop, not exec'd) with a real JVM whose shutdown hook records it ran, signalled the way
 * each KillMode signals.
 */
import { TEST_DB_WAIT } from './fixtures/ec2/db-wait';
import { execFileSync, spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { renderConfigUnit, CONFIG_RETRY_SECONDS, CONFIG_ATTEMPTS_PER_HOUR } from '../components/ec2/user-data';
import { renderBootScript, unitName } from '../components/ec2/boot-script';
import { SHARED_MOUNT, WSO2_UID, processesFor, sharedDirectoriesFor } from '../topology';

/** `[Section]` -> key -> values (a key may repeat; space-separated lists are split). */
function parseUnit(text: string): Record<string, Record<string, string[]>> {
  const out: Record<string, Record<string, string[]>> = {};
  let section = '';
  for (const line of text.split('\n')) {
    const sec = /^\[(\w+)\]$/.exec(line);
    if (sec) {
      section = sec[1];
      out[section] = out[section] ?? {};
      continue;
    }
    const kv = /^(\w+)=(.*)$/.exec(line);
    if (kv) (out[section][kv[1]] = out[section][kv[1]] ?? []).push(...kv[2].split(/\s+/).filter(Boolean));
  }
  return out;
}

/** Units that newer cloud-init orders after multi-user.target: ordering after them is a cycle. */
const AFTER_MULTI_USER = ['cloud-final.service', 'cloud-init.target', 'multi-user.target'];

describe('config unit (user-data)', () => {
  const unit = parseUnit(renderConfigUnit());

  test('a oneshot retried on failure, a bounded number of times', () => {
    expect(unit.Service.Type).toEqual(['oneshot']);
    // the only automatic restart systemd accepts for a oneshot (>= 245; AL2023 runs 252)
    expect(unit.Service.Restart).toEqual(['on-failure']);
    expect(unit.Service.RestartSec).toEqual([String(CONFIG_RETRY_SECONDS)]);
    expect(CONFIG_RETRY_SECONDS).toBeGreaterThanOrEqual(10);
    expect(unit.Unit.StartLimitBurst).toEqual([String(CONFIG_ATTEMPTS_PER_HOUR)]);
    expect(Number(unit.Unit.StartLimitIntervalSec[0])).toBeGreaterThanOrEqual(CONFIG_RETRY_SECONDS * CONFIG_ATTEMPTS_PER_HOUR);
  });

  test('ordered after the network only, never after a unit that follows multi-user.target', () => {
    expect(unit.Unit.After).toContain('network-online.target');
    expect(unit.Unit.Wants).toContain('network-online.target');
    for (const u of AFTER_MULTI_USER) expect(unit.Unit.After).not.toContain(u);
    expect(unit.Install.WantedBy).toEqual(['multi-user.target']);
  });
});

describe('product units (boot script)', () => {
  for (const [role, flavor] of [
    ['is', 'sp'],
    ['analytics', 'sp'],
    ['analytics', 'das'],
  ] as const) {
    test(`${role} (${flavor}): after the config unit, no cycle through cloud-init`, () => {
      const script = renderBootScript({
        nodeId: role === 'is' ? 'is-1' : 'analytics-1',
        role,
        flavor,
        productHome: `/opt/wso2/${role}`,
        packUrl: 's3://packs/p.zip',
        javaPackage: 'java-1.8.0-amazon-corretto-devel',
        jdbcDriverUrl: 'https://repo.example/mysql-connector-java-5.1.49.jar',
        jdbcDriverDir: 'lib',
        region: 'eu-west-1',
        bucket: 'b',
        keys: { changeSet: 'c', applier: 'a' },
        secretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:s-AbCdEf',
        keysSecretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:k-AbCdEf',
        keyMaterialDigest: 'c'.repeat(64),
        efs: { fileSystemId: 'fs-1', accessPointId: 'fsap-1' },
        sharedMount: SHARED_MOUNT,
        sharedDirectories: sharedDirectoriesFor(flavor).filter((d) => d.role === role),
        processes: processesFor(role, flavor),
        uid: WSO2_UID,
        dbWait: TEST_DB_WAIT,
      });
      for (const proc of processesFor(role, flavor)) {
        const m = new RegExp(`/${unitName(role, proc).replace('.', '\\.')}" 0644 <<UNIT[^\\n]*\\n([\\s\\S]*?)\\nUNIT\\n`).exec(script);
        expect(m).not.toBeNull();
        const unit = parseUnit(m![1]);
        expect(unit.Unit.After).toContain('wso2-pattern2-config.service');
        // expanded by the script's heredoc to the mount (the sandbox boot test reads the result)
        expect(unit.Unit.RequiresMountsFor).toEqual(['$SHARED']);
        for (const u of AFTER_MULTI_USER) expect(unit.Unit.After).not.toContain(u);
        expect(unit.Service.Type).toEqual(['simple']);
        expect(unit.Service.User).toEqual(['wso2']);
        expect(unit.Service.Restart).toEqual(['on-failure']);
        // Stop: SIGTERM to every process of the unit (the JVM is a child of the start script's
        // loop), the JVM's exit on SIGTERM is a success, and Carbon's graceful stop (up to 60 s
        // draining requests, then OSGi) fits in the stop timeout.
        expect(unit.Service.KillMode).toEqual(['control-group']);
        expect(unit.Service.KillSignal).toEqual(['SIGTERM']);
        expect(unit.Service.SuccessExitStatus).toEqual(['143']);
        expect(Number(unit.Service.TimeoutStopSec[0])).toBeGreaterThanOrEqual(120);
        expect(unit.Service.ExecStop).toBeUndefined();
        expect(unit.Service.SendSIGKILL).toBeUndefined(); // the default (yes): a hung stop still ends
      }
    });
  }
});

describe('stopping a product the way the unit does (real JVM stand-in, no systemd)', () => {
  // The two cases mostly wait (JVM start, shutdown hook, a grace wait): they run at once
  // (test.concurrent). Concurrent tests start before a describe's beforeAll, so the stand-in is
  // compiled by the first test that needs it.
  let tmp = '';
  let classes = '';
  const standIn = () => {
    if (tmp) return;
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ec2-stop-'));
    classes = path.join(tmp, 'classes');
    fs.mkdirSync(classes);
    // A JVM whose shutdown hook (what Carbon's graceful stop runs in) takes a moment and records it ran.
    fs.writeFileSync(
      path.join(tmp, 'Standin.java'),
      [
        'public class Standin {',
        '  public static void main(String[] a) throws Exception {',
        '    Runtime.getRuntime().addShutdownHook(new Thread(() -> {',
        '      try { Thread.sleep(500); java.nio.file.Files.write(java.nio.file.Paths.get(a[0]), "graceful\\n".getBytes()); }',
        '      catch (Exception e) { throw new RuntimeException(e); }',
        '    }));',
        '    java.nio.file.Files.write(java.nio.file.Paths.get(a[1]), "up\\n".getBytes());',
        '    Thread.sleep(600000);',
        '  }',
        '}',
        '',
      ].join('\n'),
    );
    execFileSync('javac', ['-d', classes, path.join(tmp, 'Standin.java')], { stdio: 'pipe' });
    fs.writeFileSync(path.join(tmp, 'start.sh'), START);
  };
  afterAll(() => tmp && fs.rmSync(tmp, { recursive: true, force: true }));

  /** Shaped like wso2server.sh / carbon.sh: java in a restart loop, not exec'd, so the shell is the main process. */
  const START = 'status=121\nwhile [ "$status" = 121 ]; do\n  java -cp "$1" Standin "$2" "$3"\n  status=$?\ndone\nexit $status\n';

  /** Starts the stand-in in its own process group (the unit's control group, for signalling). */
  async function startProduct(name: string) {
    standIn();
    const hook = path.join(tmp, `${name}.hook`);
    const up = path.join(tmp, `${name}.up`);
    const child = spawn('bash', [path.join(tmp, 'start.sh'), classes, hook, up], { detached: true, stdio: 'ignore' });
    const exited = new Promise<number | null>((r) => child.on('exit', (code, sig) => r(code ?? (sig ? 128 + (os.constants.signals[sig] ?? 0) : null))));
    for (let i = 0; i < 900 && !fs.existsSync(up); i++) await new Promise((r) => setTimeout(r, 100));
    expect(fs.existsSync(up)).toBe(true);
    const jvm = Number(execFileSync('pgrep', ['-P', String(child.pid), 'java'], { encoding: 'utf8' }).trim());
    return { pid: child.pid!, jvm, hook, exited };
  }
  const alive = (pid: number) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  async function gone(pid: number, ms: number): Promise<boolean> {
    for (let i = 0; i < ms / 100; i++) {
      if (!alive(pid)) return true;
      await new Promise((r) => setTimeout(r, 100));
    }
    return !alive(pid);
  }

  test.concurrent('control-group (the unit): SIGTERM reaches the JVM, its shutdown hook runs, every process ends', async () => {
    const p = await startProduct('cgroup');
    process.kill(-p.pid, 'SIGTERM'); // every process of the group, as systemd signals every process of the cgroup
    expect(await gone(p.jvm, 60000)).toBe(true);
    expect(fs.readFileSync(p.hook, 'utf8')).toBe('graceful\n');
    expect(await p.exited).toBe(143); // the shell itself died of SIGTERM (clean for systemd)
  });

  test.concurrent('why not mixed/process: SIGTERM to the shell alone leaves the JVM running (until SIGKILL at the timeout)', async () => {
    const p = await startProduct('main-only');
    process.kill(p.pid, 'SIGTERM');
    await p.exited;
    // A JVM that got SIGTERM runs its hook and ends within a few hundred ms: a second of life says enough.
    await new Promise((r) => setTimeout(r, 1000));
    expect(alive(p.jvm)).toBe(true);
    expect(fs.existsSync(p.hook)).toBe(false);
    process.kill(p.jvm, 'SIGKILL');
    expect(await gone(p.jvm, 10000)).toBe(true);
  });
});
