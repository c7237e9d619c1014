/**
 * Secret filling: a nasty password must come out intact in XML (xmllint reads it back), YAML
 * (the yaml parser reads it back), JSON and SQL (a real MariaDB accepts it as the user's password).
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parse as parseYaml } from 'yaml';
import { fillSecrets, escapeSqlLiteral } from '../applier/secrets';
import { secretPlaceholder } from '../topology';
import { MariaDb, startMariaDb } from './helpers/mariadb';
import { STORE_PASSWORDS, VAULT_CERTIFICATES } from './helpers/store-passwords';

const NASTY = `p&<>"'$\\%]]>x\u00e9\u4e2d\u{1F511} \t#: -- end`;
const ADMIN = 'adm!n "quoted" & <tag>';
const VALUES = { db_password: NASTY, admin_password: ADMIN, db_master_password: 'm', ...STORE_PASSWORDS, ...VAULT_CERTIFICATES };
const DB = secretPlaceholder('db_password');
const ADMIN64 = secretPlaceholder('admin_password', 'base64');

const dirs: string[] = [];
function tmpHome(files: Record<string, string | Buffer>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'applier-secrets-'));
  dirs.push(dir);
  for (const [rel, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), content, { mode: 0o644 });
  }
  return dir;
}
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));
const xpath = (file: string, expr: string) => execFileSync('xmllint', ['--xpath', expr, file]).toString().replace(/\n$/, '');

describe('XML', () => {
  const ds = `<?xml version="1.0" encoding="UTF-8"?>
<!-- ${'comment kept'} -->
<datasources-configuration>
    <datasource>
        <definition type="RDBMS">
            <configuration>
                <url>jdbc:mysql://db:3306/WSO2_IDENTITY_DB?useSSL=false&amp;autoReconnect=true</url>
                <password>${DB}</password>
                <validationQuery><![CDATA[SELECT '${DB}']]></validationQuery>
            </configuration>
        </definition>
        <property name="password" value='${DB}' other="${ADMIN64}"/>
    </datasource>
</datasources-configuration>
`;
  const latin1 = `<?xml version="1.0" encoding="ISO-8859-1"?>\n<a>caf\u00e9 <b>${DB}</b></a>\n`;
  const h = tmpHome({
    'repository/conf/datasources/master-datasources.xml': ds,
    'repository/conf/registry.xml': Buffer.from(latin1, 'latin1'),
  });
  const report = fillSecrets(h, ['repository/conf/datasources/master-datasources.xml', 'repository/conf/registry.xml'], VALUES);
  const file = path.join(h, 'repository/conf/datasources/master-datasources.xml');

  it('reports files and secret names only', () => {
    expect(report.files).toEqual([
      { path: 'repository/conf/datasources/master-datasources.xml', secrets: ['admin_password', 'db_password'] },
      { path: 'repository/conf/registry.xml', secrets: ['db_password'] },
    ]);
  });

  it('xmllint parses the result and reads every value back intact', () => {
    execFileSync('xmllint', ['--noout', file]);
    expect(xpath(file, 'string(//password)')).toBe(NASTY);
    expect(xpath(file, 'string(//validationQuery)')).toBe(`SELECT '${NASTY}'`);
    expect(xpath(file, 'string(//property/@value)')).toBe(NASTY);
    expect(xpath(file, 'string(//property/@other)')).toBe(Buffer.from(ADMIN, 'utf8').toString('base64'));
  });

  it('escapes the specials and keeps everything else', () => {
    const out = fs.readFileSync(file, 'utf8');
    expect(out).toContain('<password>p&amp;&lt;&gt;&quot;&apos;$\\%]]&gt;x');
    expect(out).toContain('<!-- comment kept -->');
    expect(out).toContain('useSSL=false&amp;autoReconnect=true');
    expect(out).toContain(" value='p&amp;");
    expect(out).toContain('&#9;'); // TAB in an attribute would otherwise be normalised to a space
    expect(out).not.toContain('@@SECRET');
  });

  it('Latin-1 files stay Latin-1, with character references for the rest', () => {
    const f = path.join(h, 'repository/conf/registry.xml');
    execFileSync('xmllint', ['--noout', f]);
    expect(xpath(f, 'string(/a/b)')).toBe(NASTY);
    expect(fs.readFileSync(f).includes(Buffer.from('caf\u00e9', 'latin1'))).toBe(true);
  });

  it('writes filled files with mode 0600', () => {
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
  });

  it('refuses a placeholder in a comment', () => {
    const h2 = tmpHome({ 'a.xml': `<a><!-- ${DB} --></a>` });
    expect(() => fillSecrets(h2, ['a.xml'], VALUES)).toThrow(/a\.xml: placeholder for secret "db_password" is not inside XML text/);
  });
});

describe('YAML', () => {
  const yaml = `# worker deployment.yaml
wso2.datasources:
  dataSources:
    # the analytics database
    - name: IS_ANALYTICS_DB
      definition:
        configuration:
          jdbcUrl: 'jdbc:mysql://db:3306/IS_ANALYTICS_DB'
          username: wso2
          password: "${DB}"   # filled at boot
          other: '${ADMIN64}'
          flow: { pw: "${DB}" }
`;
  const h = tmpHome({ 'conf/worker/deployment.yaml': yaml });
  fillSecrets(h, ['conf/worker/deployment.yaml'], VALUES);
  const out = fs.readFileSync(path.join(h, 'conf/worker/deployment.yaml'), 'utf8');

  it('the yaml parser reads the values back intact', () => {
    const cfg = parseYaml(out)['wso2.datasources'];
    const c = cfg.dataSources[0].definition.configuration;
    expect(c.password).toBe(NASTY);
    expect(c.other).toBe(Buffer.from(ADMIN, 'utf8').toString('base64'));
    expect(c.flow.pw).toBe(NASTY);
  });

  it('keeps comments and every untouched line', () => {
    for (const l of yaml.split('\n').filter((x) => !x.includes('@@SECRET'))) expect(out.split('\n')).toContain(l);
    expect(out).toContain('# filled at boot');
  });

  it('refuses a placeholder in a comment or key', () => {
    const h2 = tmpHome({ 'x.yaml': `a: 1 # ${DB}\n` });
    expect(() => fillSecrets(h2, ['x.yaml'], VALUES)).toThrow(/x\.yaml: placeholder for secret "db_password" is not inside a YAML scalar value/);
  });
});

describe('JSON and SQL', () => {
  it('JSON: inside string values, file still parses, layout kept', () => {
    const json = `{\n  "db" : { "password" : "${DB}", "n": 1 }\n}\n`;
    const h = tmpHome({ 'site.json': json });
    fillSecrets(h, ['site.json'], VALUES);
    const out = fs.readFileSync(path.join(h, 'site.json'), 'utf8');
    expect(JSON.parse(out).db.password).toBe(NASTY);
    expect(out.startsWith('{\n  "db" : { "password" : "')).toBe(true);
  });

  it('SQL: escapes backslash and quote for the default sql_mode', () => {
    expect(escapeSqlLiteral(`a'b\\c`)).toBe(`a''b\\\\c`);
    const h = tmpHome({ 'init.sql': `-- user ${'x'}\nCREATE USER 'wso2'@'%' IDENTIFIED BY '${DB}';\n` });
    fillSecrets(h, ['init.sql'], VALUES);
    expect(fs.readFileSync(path.join(h, 'init.sql'), 'utf8')).toContain(`IDENTIFIED BY 'p&<>"''$\\\\%]]>x`);
  });

  it('SQL: refuses a placeholder outside a single-quoted literal', () => {
    const h = tmpHome({ 'init.sql': `SELECT "${DB}";\n` });
    expect(() => fillSecrets(h, ['init.sql'], VALUES)).toThrow(/init\.sql: placeholder for secret "db_password" is not inside a single-quoted SQL string literal/);
  });
});

describe('errors', () => {
  it('unknown placeholder, missing value, unsupported type: named file, never the value', () => {
    const h = tmpHome({
      'a.xml': '<a>@@SECRET:nope@@</a>',
      'b.xml': `<a>${secretPlaceholder('db_master_password')}</a>`,
      'c.ini': `password=${DB}\n`,
      'd.xml': '<a>@@SECRET:db_password|rot13@@</a>',
      'e.xml': '<a>nothing here</a>',
    });
    expect(() => fillSecrets(h, ['a.xml'], VALUES)).toThrow(/a\.xml: unknown secret placeholder "nope"/);
    expect(() => fillSecrets(h, ['b.xml'], { db_password: NASTY })).toThrow(/b\.xml: no value given for secret "db_master_password"/);
    expect(() => fillSecrets(h, ['c.ini'], VALUES)).toThrow(/c\.ini: cannot fill secrets in this file type/);
    expect(() => fillSecrets(h, ['d.xml'], VALUES)).toThrow(/d\.xml: unknown filter "rot13"/);
    for (const f of ['a.xml', 'b.xml', 'c.ini', 'd.xml']) {
      try {
        fillSecrets(h, [f], VALUES);
      } catch (e) {
        expect(String(e)).not.toContain(NASTY.slice(0, 4));
      }
    }
    // Files without placeholders are not rewritten (mode stays).
    expect(fillSecrets(h, ['e.xml'], VALUES).files).toEqual([]);
    expect(fs.statSync(path.join(h, 'e.xml')).mode & 0o777).toBe(0o644);
  });
});

describe('ownership', () => {
  const root = process.getuid?.() === 0;
  it(root ? 'as root, a filled file keeps its owner (replaced by one rename, 0600)' : 'not root, a filled file is the process\'s own', () => {
    const h = tmpHome({ 'p.xml': `<p><property value="${ADMIN64}"/></p>\n` });
    const f = path.join(h, 'p.xml');
    if (root) fs.chownSync(f, 802, 802);
    fillSecrets(h, ['p.xml'], VALUES);
    const st = fs.statSync(f);
    expect([st.uid, st.gid, st.mode & 0o777]).toEqual(root ? [802, 802, 0o600] : [process.getuid?.(), process.getgid?.(), 0o600]);
  });
});

describe('SQL against a real MariaDB', () => {
  let db: MariaDb;
  beforeAll(async () => {
    db = await startMariaDb();
  }, 120000);
  afterAll(async () => {
    await db?.stop();
  });

  it('the filled password is the one MariaDB checks', async () => {
    const h = tmpHome({
      'init.sql': `# created at boot\nCREATE USER 'applier'@'127.0.0.1' IDENTIFIED BY '${DB}';\nSELECT '${DB}' AS echoed;\n`,
    });
    fillSecrets(h, ['init.sql'], VALUES);
    const echoed = await db.query(fs.readFileSync(path.join(h, 'init.sql'), 'utf8'));
    // The client prints TAB and backslash escaped in batch output; undo that for the comparison.
    expect(echoed.replace(/\n$/, '').replace(/\\t/g, '\t').replace(/\\\\/g, '\\')).toBe(NASTY);
    await expect(db.queryAs('applier', NASTY, 'SELECT 1')).resolves.toContain('1');
    await expect(db.queryAs('applier', NASTY + 'x', 'SELECT 1')).rejects.toThrow();
  });
});
