/**
 * The pod scripts run for real with `sh` against a fake product home, stage and shared volume in a
 * temp dir (the mount paths are swapped for temp paths): staging, seeding without clobbering,
 * symlinking the shared trees and copying staged files through them.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { MOUNTS, seedScript, stageScript, startScript } from '../components/kubernetes/model';
import { SHARED_DIRECTORIES, processesFor } from '../topology';

let dir: string;
let home: string;
let stage: string;
let shared: string;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'k8s-scripts-'));
  home = path.join(dir, 'home');
  stage = path.join(dir, 'stage');
  shared = path.join(dir, 'shared');
  for (const d of [stage, shared]) fs.mkdirSync(d, { recursive: true });
  const w = (rel: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(home, rel)), { recursive: true });
    fs.writeFileSync(path.join(home, rel), text);
  };
  w('repository/conf/carbon.xml', '<Server/>');
  w('repository/deployment/server/webapps/stock.war', 'stock war');
  w('repository/deployment/server/eventpublishers/p.xml', '<stock/>');
  w('repository/tenants/.keep', '');
  w('bin/wso2server.sh', 'echo "started from $PWD"\n');
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

function sh(script: string, args: string[] = []): { status: number | null; out: string } {
  const s = script.split(MOUNTS.stage).join(stage).split(MOUNTS.shared).join(shared);
  // chown to 802 needs root; the seed script tolerates refusal (as on EFS).
  const r = spawnSync('sh', ['-c', s, 'test', ...args], { encoding: 'utf8', env: { ...process.env, WSO2_SERVER_HOME: home, POD_NAME: 'wso2is-0' } });
  return { status: r.status, out: r.stdout + r.stderr };
}

test('stage copies the edited stock files, keeping relative paths', () => {
  const r = sh(stageScript('is'), ['repository/conf/carbon.xml', 'repository/conf/absent.xml']);
  expect(r.status).toBe(0);
  expect(fs.readFileSync(path.join(stage, 'repository/conf/carbon.xml'), 'utf8')).toBe('<Server/>');
  expect(fs.existsSync(path.join(stage, 'repository/conf/absent.xml'))).toBe(false);
});

test('seed fills empty shared directories from the image and never clobbers filled ones', () => {
  fs.mkdirSync(path.join(shared, 'Tenants'));
  fs.mkdirSync(path.join(shared, 'Deployment'));
  fs.writeFileSync(path.join(shared, 'Deployment', 'deployed-by-someone.car'), 'keep me');
  const r = sh(seedScript('is', SHARED_DIRECTORIES));
  expect(r.status).toBe(0);
  expect(fs.readdirSync(path.join(shared, 'Deployment'))).toEqual(['deployed-by-someone.car']);
  expect(fs.existsSync(path.join(shared, 'Tenants', '.keep'))).toBe(true);
  expect(fs.readdirSync(shared).sort()).toEqual(['Deployment', 'Tenants']); // no temp dirs left
  // A second pod changes nothing.
  expect(sh(seedScript('is', SHARED_DIRECTORIES)).status).toBe(0);
  expect(fs.readdirSync(path.join(shared, 'Deployment'))).toEqual(['deployed-by-someone.car']);
});

test('start links the shared trees, writes staged files through the links and execs the product', () => {
  expect(sh(seedScript('is', SHARED_DIRECTORIES)).status).toBe(0);
  fs.mkdirSync(path.join(stage, 'repository/conf'), { recursive: true });
  fs.writeFileSync(path.join(stage, 'repository/conf/carbon.xml'), '<Server patched="1"/>');
  fs.mkdirSync(path.join(stage, 'repository/deployment/server/eventpublishers'), { recursive: true });
  fs.writeFileSync(path.join(stage, 'repository/deployment/server/eventpublishers/p.xml'), '<patched/>');
  const r = sh(startScript('is', processesFor('is', 'sp')[0], SHARED_DIRECTORIES.filter((d) => d.role === 'is')));
  expect(r.status).toBe(0);
  expect(r.out).toContain(`started from ${home}`);
  expect(fs.readlinkSync(path.join(home, 'repository/deployment'))).toBe(path.join(shared, 'Deployment'));
  expect(fs.readlinkSync(path.join(home, 'repository/tenants'))).toBe(path.join(shared, 'Tenants'));
  expect(fs.readFileSync(path.join(home, 'repository/conf/carbon.xml'), 'utf8')).toBe('<Server patched="1"/>');
  // The patched publisher landed on the shared volume, next to the seeded stock artifacts.
  expect(fs.readFileSync(path.join(shared, 'Deployment/server/eventpublishers/p.xml'), 'utf8')).toBe('<patched/>');
  expect(fs.readFileSync(path.join(shared, 'Deployment/server/webapps/stock.war'), 'utf8')).toBe('stock war');
  // A restart (links already there) keeps the shared content.
  expect(sh(startScript('is', processesFor('is', 'sp')[0], SHARED_DIRECTORIES.filter((d) => d.role === 'is'))).status).toBe(0);
  expect(fs.readFileSync(path.join(shared, 'Deployment/server/webapps/stock.war'), 'utf8')).toBe('stock war');
});
