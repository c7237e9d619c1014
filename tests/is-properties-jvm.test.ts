/**
 * The IS `properties` changes read back by the real JVM (java.util.Properties.load, as Carbon and
 * the identity event framework read these files): identity-event.properties with both analytics
 * handlers enabled and nothing else changed, and the created hazelcast.properties.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { applyChangeSet } from '../applier/apply';
import { probeClasses } from './helpers/java-classes';
import { renderIsChangeSet } from '../config-templates';
import { IS_FIXTURE_HOME, isTestTopology } from './fixtures/is/model';

const IDENTITY_EVENT = 'repository/conf/identity/identity-event.properties';
const HAZELCAST = 'repository/conf/hazelcast.properties';

let tmp: string;
let home: string;
/** Each file as java.util.Properties reads it, all read by one JVM in beforeAll. */
let read: Map<string, Record<string, string>>;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'is-props-jvm-'));
  home = path.join(tmp, 'home');
  fs.cpSync(IS_FIXTURE_HOME, home, { recursive: true, filter: (src) => !src.endsWith('.ts') });
  applyChangeSet(home, renderIsChangeSet(isTestTopology(), 'is-1'));
  const classes = probeClasses(tmp); // tests/fixtures/java/ReadProps.java, compiled once per jest run
  const files = [path.join(home, IDENTITY_EVENT), path.join(IS_FIXTURE_HOME, IDENTITY_EVENT), path.join(home, HAZELCAST)];
  const out = execFileSync('java', ['-cp', classes, 'ReadProps', ...files], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  read = new Map(
    out.split('\f').filter(Boolean).map((section) => {
      const [file, ...lines] = section.split('\n');
      return [file, Object.fromEntries(lines.filter(Boolean).map((l) => l.split('\t') as [string, string]))];
    }),
  );
  expect([...read.keys()]).toEqual(files);
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** A .properties file as java.util.Properties read it. */
function javaProperties(file: string): Record<string, string> {
  const props = read.get(file);
  if (!props) throw new Error(`${file} was not read by the JVM`);
  return props;
}

test('identity-event.properties: both analytics handlers enabled, every other property as it was', () => {
  const props = javaProperties(path.join(home, IDENTITY_EVENT));
  expect(props['analyticsLoginDataPublisher.enable']).toBe('true');
  expect(props['analyticsSessionDataPublisher.enable']).toBe('true');
  const original = javaProperties(path.join(IS_FIXTURE_HOME, IDENTITY_EVENT));
  expect(original['analyticsLoginDataPublisher.enable']).toBe('false');
  expect({ ...props, 'analyticsLoginDataPublisher.enable': 'false', 'analyticsSessionDataPublisher.enable': 'false' }).toEqual(original);
});

test('hazelcast.properties (created): shutdown hook off, log4j logging', () => {
  expect(javaProperties(path.join(home, HAZELCAST))).toEqual({ 'hazelcast.logging.type': 'log4j', 'hazelcast.shutdownhook.enabled': 'false' });
});
