/**
 * The fixed text of the Kubernetes container scripts: each shell/k8s-*.sh is clean through the
 * real shellcheck as a file (the generated lines are checked in the emitted scripts by
 * k8s-scripts, k8s-local and nginx-resolver), and every file has the layout scripts.ts relies on.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { SHELL_DIR, shellFile } from '../config-templates/shell';
import { assembleScript, stageScript } from '../components/kubernetes/scripts';

const FILES = fs.readdirSync(SHELL_DIR).filter((f) => /^k8s-.*\.sh$/.test(f)).sort();

test('the ten scripts and the apply link function have files', () => {
  expect(FILES).toEqual([
    'k8s-apply-link.sh',
    'k8s-apply.sh',
    'k8s-db-init-job.sh',
    'k8s-fetch-jdbc-driver.sh',
    'k8s-keys.sh',
    'k8s-keystores.sh',
    'k8s-nginx-start.sh',
    'k8s-seed.sh',
    'k8s-stage.sh',
    'k8s-start.sh',
    'k8s-wait-for-db.sh',
  ]);
});

test.each(FILES)('%s is clean through shellcheck as a file', (f) => {
  const r = spawnSync('shellcheck', ['--severity=style', path.join(SHELL_DIR, f)], { encoding: 'utf8' });
  expect(r.error).toBeUndefined();
  expect(r.stdout + r.stderr).toBe('');
  expect(r.status).toBe(0);
});

test.each(FILES)('%s opens with a comment block naming its shell, then a blank line', (f) => {
  const text = shellFile(f);
  const head = text.slice(0, text.indexOf('\n\n')).split('\n');
  expect(head[0]).toMatch(/^# shellcheck shell=(sh|bash)$/);
  for (const line of head) expect(line).toMatch(/^#/);
  expect(text.endsWith('\n')).toBe(true);
});

test('a script is the body with each marker replaced, and the counts must match', () => {
  const s = stageScript('is');
  expect(s).not.toContain('#@');
  expect(s).not.toContain('shellcheck');
  expect(s.startsWith('set -eu\nhome="${WSO2_SERVER_HOME:-')).toBe(true);
  expect(() => assembleScript('k8s-stage.sh', [])).toThrow(/more markers than generated parts/);
  expect(() => assembleScript('k8s-stage.sh', [[], []])).toThrow(/2 generated parts for 1 markers/);
});

test('shellcheck catches what it should (the test is not vacuous)', () => {
  const r = spawnSync('shellcheck', ['--severity=style', '-s', 'sh', '-'], { input: 'rm $1\n', encoding: 'utf8' });
  expect(r.status).not.toBe(0);
});
