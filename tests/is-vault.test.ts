/**
 * Secure Vault and the encrypted publishers on an applied IS home, checked with the real JDK:
 * every ciphertext the applier writes (cipher-text.properties, the four event publishers)
 * decrypts, with the transformation the product uses, to the original (hostile) password; no
 * product file holds a password in clear; publishers the product re-saved converge on one apply
 * and a second apply writes nothing.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { applyChangeSet } from '../applier/apply';
import { cryptoUtilEncrypt } from '../applier/vault-crypto';
import { renderIsChangeSet } from '../config-templates';
import { CIPHER_TEXT_PROPERTIES, isVaultEntries } from '../config-templates/is/vault';
import { IS_ANALYTICS_PUBLISHERS, publisherPath } from '../config-templates/is/publishers';
import { IS_FIXTURE_HOME, isTestTopology } from './fixtures/is/model';
import { HOSTILE_PASSWORDS, STORE_PASSWORDS, VAULT_CERTIFICATES, VAULT_KEY_FILES } from './helpers/store-passwords';
import { jdkDecrypter } from './helpers/vault-decrypt';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'is-vault-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Hostile in XML, shell, properties and JSON, with non-ASCII. */
const SECRETS = {
  ...HOSTILE_PASSWORDS,
  db_master_password: 'never-on-an-is-node',
  ...STORE_PASSWORDS,
  ...VAULT_CERTIFICATES,
};
const t = isTestTopology();
const cs = renderIsChangeSet(t, 'is-1');
// The publishers' CryptoUtil ciphertexts name the internal certificate; Secure Vault's carry no thumbprint.
const jdk = jdkDecrypter(tmp, VAULT_CERTIFICATES.internal_certificate);
beforeAll(() => jdk.compile(), 60_000);

function freshHome(name: string): string {
  const home = path.join(tmp, name);
  fs.cpSync(IS_FIXTURE_HOME, home, { recursive: true, filter: (src) => !src.endsWith('.ts') });
  return home;
}

function allFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true, recursive: true }).filter((e) => e.isFile()).map((e) => path.join(e.parentPath ?? (e as unknown as { path: string }).path, e.name));
}

const publisherPassword = (home: string, kind: (typeof IS_ANALYTICS_PUBLISHERS)[number]) => {
  const src = fs.readFileSync(path.join(home, publisherPath(kind)), 'utf8');
  const m = /<property\b[^>]*\bname="password"[^>]*>([^<]*)<\/property>/.exec(src);
  const enc = /<property\b[^>]*\bencrypted="([^"]*)"[^>]*\bname="password"|<property\b[^>]*\bname="password"[^>]*\bencrypted="([^"]*)"/.exec(src);
  return { value: m![1], encrypted: enc ? enc[1] ?? enc[2] : undefined };
};

describe('IS Secure Vault on an applied home (JDK decrypts)', () => {
  let home: string;
  beforeAll(() => {
    home = freshHome('home');
    applyChangeSet(home, cs, { secrets: SECRETS });
  });

  const cipherLines = () => fs.readFileSync(path.join(home, CIPHER_TEXT_PROPERTIES), 'utf8').split('\n').filter((l) => l && !l.startsWith('#'));
  type Job = ['vault' | 'cryptoutil', string, string];
  /**
   * Both tests' decryptions in one JVM, made on the first that reads them: every Secure Vault value
   * under the primary key and the first under the internal key (a distinct fixture key), which must
   * not open it; every publisher's CryptoUtil value under the internal key and the first under the
   * primary key. Each answer is its own job's.
   */
  let answers: { vault: ReturnType<typeof jdk.decryptEach>; publishers: ReturnType<typeof jdk.decryptEach> } | undefined;
  function decrypted() {
    if (answers) return answers;
    const values = cipherLines().map((l) => l.slice(l.indexOf('=') + 1));
    const got = IS_ANALYTICS_PUBLISHERS.map((k) => publisherPassword(home, k));
    const vault: Job[] = [...values.map((v): Job => ['vault', v, VAULT_KEY_FILES.primary]), ['vault', values[0], VAULT_KEY_FILES.internal]];
    const publishers: Job[] = [...got.map((g): Job => ['cryptoutil', g.value, VAULT_KEY_FILES.internal]), ['cryptoutil', got[0].value, VAULT_KEY_FILES.primary]];
    const out = jdk.decryptEach([...vault, ...publishers]);
    answers = { vault: out.slice(0, vault.length), publishers: out.slice(vault.length) };
    return answers;
  }

  test('cipher-text.properties: one line per alias, each decrypting with RSA/ECB/PKCS1Padding under the primary key to its secret', () => {
    expect(fs.statSync(path.join(home, CIPHER_TEXT_PROPERTIES)).mode & 0o777).toBe(0o600);
    const lines = cipherLines();
    const entries = isVaultEntries(t);
    expect(lines.map((l) => l.slice(0, l.indexOf('=')))).toEqual(entries.map((e) => e.alias));
    const values = lines.map((l) => l.slice(l.indexOf('=') + 1));
    for (const v of values) expect(v).toMatch(/^[A-Za-z0-9+/]+={0,2}$/);
    // Every value under the primary key; the first under the internal key must not open: the
    // filter must use the primary certificate.
    const out = decrypted().vault;
    expect(out.slice(0, -1)).toEqual(entries.map((e) => ({ plain: SECRETS[e.secret] })));
    expect(out[out.length - 1]).toEqual({ error: expect.stringMatching(/^javax\.crypto\.BadPaddingException/) });
  }, 60_000);

  test('the four publishers: encrypted="true", CryptoUtil ciphertexts decrypting (OAEP) under the internal key to the admin password', () => {
    const got = IS_ANALYTICS_PUBLISHERS.map((k) => publisherPassword(home, k));
    for (const g of got) expect(g.encrypted).toBe('true');
    // Every value under the internal key; the first under the primary key must not open: the
    // filter must use the internal certificate.
    const out = decrypted().publishers;
    expect(out).toHaveLength(got.length + 1);
    expect(out.slice(0, -1)).toEqual(IS_ANALYTICS_PUBLISHERS.map(() => ({ plain: SECRETS.admin_password })));
    expect(out[out.length - 1]).toEqual({ error: expect.stringMatching(/^javax\.crypto\.BadPaddingException/) });
  }, 60_000);

  test('no file of the home holds a password in clear (raw, XML-escaped or base64)', () => {
    const secrets = ['db_password', 'admin_password', 'db_master_password', ...Object.keys(STORE_PASSWORDS)] as (keyof typeof SECRETS)[];
    const forms = (v: string) => [v, v.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;'), Buffer.from(v).toString('base64')];
    for (const f of allFiles(home)) {
      const text = fs.readFileSync(f, 'utf8');
      for (const s of secrets) for (const form of forms(SECRETS[s])) expect([f, s, text.includes(form)]).toEqual([f, s, false]);
    }
  });
});

describe('publishers re-saved by the product converge and stay put', () => {
  test('one apply converges, a second writes nothing; the deployer would rewrite none of them', () => {
    const home = freshHome('resaved');
    applyChangeSet(home, cs, { secrets: SECRETS });
    const ours = Object.fromEntries(IS_ANALYTICS_PUBLISHERS.map((k) => [k, fs.readFileSync(path.join(home, publisherPath(k)), 'utf8')]));
    // The product's re-save (EventPublisherConfigurationFilesystemInvoker.encryptAndSave): its own
    // serializer's layout (double-quoted declaration, attributes reordered, no comments, one line)
    // and its own (randomly padded) ciphertext, encrypted="true".
    for (const k of IS_ANALYTICS_PUBLISHERS) {
      const theirs = cryptoUtilEncrypt(VAULT_CERTIFICATES.internal_certificate, SECRETS.admin_password, 'the product pads at random');
      const resaved = ours[k]
        .replace(/<\?xml[^>]*\?>/, '<?xml version="1.0" encoding="UTF-8"?>')
        .replace(/<!--[\s\S]*?-->\s*/g, '')
        .replace(/<property\b[^>]*\bname="password"[^>]*>[^<]*<\/property>/, `<property encrypted="true" name="password">${theirs}</property>`)
        .replace(/>\s+</g, '><');
      fs.writeFileSync(path.join(home, publisherPath(k)), resaved);
    }
    const first = applyChangeSet(home, cs, { secrets: SECRETS });
    const changedFirst = first.files.filter((f) => f.changed).map((f) => f.path);
    expect(changedFirst.sort()).toEqual(IS_ANALYTICS_PUBLISHERS.map(publisherPath).sort());
    for (const k of IS_ANALYTICS_PUBLISHERS) {
      const g = publisherPassword(home, k);
      expect(g).toEqual(publisherPassword(path.join(tmp, 'home'), k));
      // EventPublisherDeployer rewrites a file only when a secured property is not encrypted="true".
      expect(g.encrypted).toBe('true');
    }
    const second = applyChangeSet(home, cs, { secrets: SECRETS });
    expect(second.files.filter((f) => f.changed).map((f) => f.path)).toEqual([]);
  });
});
