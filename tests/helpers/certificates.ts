/**
 * openssl checks on the certificates a stack's program asks for. Under the mock engine the `tls`
 * resources are issued for real from the program's inputs (scripts/lib/mock-x509.ts: its subject,
 * SANs, CA flag, usages, validity, the issuing CA's key), so these checks test the program's
 * requests: every certificate chains to the deployment CA, carries the SANs its CSR and its node
 * need, is valid at issue time for the period asked, meets the key-size rule; every node's key
 * material pairs each key with its certificate. Registered by the stack test files (ec2-dev,
 * ec2-prod, k8s-eks, k8s-local), which run the program anyway. openssl runs three times per stack,
 * whatever the number of certificates: one `storeutl -text` for every certificate's text (read
 * apart per certificate, each tied to its file by serial), one `verify` of them all (a line per
 * file), one `verify` against a foreign CA.
 */
import { execFileSync, spawnSync } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { KeystoreMaterial, parseKeystoreMaterial } from '../../applier/keystore-material';
import { MOCK_ISSUE_TIME } from '../../scripts/lib/mock-x509';
import { NODE_IDS, NodeId, ROLE_NODE_IDS, roleOfNode } from '../../topology';
import { SECRET_NAMES_K8S, STATEFULSET_OF, keyMaterialFileName, podDnsName } from '../../components/kubernetes/names';
import type { RecordedResource } from '../../scripts/mocks';

const CERT = 'tls:index/locallySignedCert:LocallySignedCert';
const CSR = 'tls:index/certRequest:CertRequest';
const SELF = 'tls:index/selfSignedCert:SelfSignedCert';
/** A day after the mock issue instant: `openssl verify -attime`. */
const AT = String(Date.parse(MOCK_ISSUE_TIME) / 1000 + 86400);

export interface CertificateRun {
  records: readonly RecordedResource[];
  /** The stack output deploymentCaCertificate. */
  caOutput: string;
  /** The SANs each node's TLS certificate must carry (what its clients use). */
  nodeSans(id: NodeId): { dns: string[]; ips: string[] };
  /** A node's keystore material document (JSON). */
  material(id: NodeId): string;
  /** The front end's TLS certificate when the stack serves one of its own (Kubernetes nginx). */
  frontendCertificate?: string;
}

const openssl = (args: string[]) => execFileSync('openssl', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

/** SANs as openssl prints them (`DNS:a, IP Address:1.2.3.4`), from one certificate's `-text`. */
function sansOf(text: string): { dns: string[]; ips: string[] } {
  const line = /X509v3 Subject Alternative Name: *(?:critical)?\n *(.*)\n/.exec(text)?.[1] ?? '';
  const items = line.split(',').map((s) => s.trim()).filter(Boolean);
  return { dns: items.filter((i) => i.startsWith('DNS:')).map((i) => i.slice(4)), ips: items.filter((i) => i.startsWith('IP Address:')).map((i) => i.slice(11)) };
}

/** A serial number as lower-case hex without leading zeros (openssl's and Node's spellings differ). */
const serialHex = (hex: string) => hex.replace(/:/g, '').toLowerCase().replace(/^0+(?=.)/, '');

/**
 * `openssl x509 -text` of every file, in one openssl run (`storeutl -text` on the files joined):
 * each certificate's own text, in order. Each text is tied to its file by the serial number, so a
 * text can never be read as another certificate's.
 */
export function certificateTexts(files: string[], dir: string): string[] {
  const all = path.join(dir, 'all-certificates.pem');
  fs.writeFileSync(all, files.map((f) => fs.readFileSync(f, 'utf8').trim() + '\n').join(''));
  const out = openssl(['storeutl', '-noout', '-text', '-certs', all]);
  const texts = out.split(/^\d+: Certificate\n/m).slice(1).map((t) => t.replace(/^Total found: \d+\n$/m, ''));
  if (texts.length !== files.length) throw new Error(`openssl storeutl: ${texts.length} certificates for ${files.length} files`);
  return texts.map((text, i) => {
    const m = /Serial Number: *(?:\d+ \(0x([0-9a-f]+)\)|\n *([0-9a-f:]+))\n/.exec(text);
    const want = serialHex(new crypto.X509Certificate(fs.readFileSync(files[i])).serialNumber);
    if (!m || serialHex(m[1] ?? m[2]) !== want) throw new Error(`openssl storeutl: certificate ${i} is not ${files[i]} (serial ${want})`);
    return text;
  });
}

/** `notBefore` / `notAfter` of one certificate's `-text`, in ms. */
function validity(text: string): [number, number] {
  return ['Not Before', 'Not After'].map((k) => Date.parse(new RegExp(`^ *${k} *: (.*)$`, 'm').exec(text)![1])) as [number, number];
}

/**
 * Registers the checks; `get` is read once the stack has run. `opts.frontend`: the stack's front end
 * serves a certificate of its own (Kubernetes nginx without `tlsCertificate`), with these DNS SANs.
 */
export function certificateTests(get: () => CertificateRun, opts: { frontend?: { dns: string[] } } = {}): void {
  let tmp: string;
  let run: CertificateRun;
  let ca: string;
  let caText: string;
  let fe: { file: string; text: string } | undefined;
  /** `openssl verify` of every certificate (the front end's too), one run: its output, a line per file. */
  let verified: string;
  const certs: { name: string; file: string; rec: RecordedResource; sans: { dns: string[]; ips: string[] }; text: string }[] = [];
  beforeAll(() => {
    run = get();
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'certs-'));
    const caRec = run.records.find((r) => r.type === SELF && r.name.endsWith('-keys-ca-cert'))!;
    ca = path.join(tmp, 'ca.pem');
    fs.writeFileSync(ca, String(caRec.state.certPem));
    const recs = run.records.filter((r) => r.type === CERT);
    const files = recs.map((rec) => path.join(tmp, `${rec.name}.pem`));
    recs.forEach((rec, i) => fs.writeFileSync(files[i], String(rec.state.certPem)));
    const feFile = path.join(tmp, 'frontend.pem');
    if (opts.frontend) fs.writeFileSync(feFile, run.frontendCertificate ?? '');
    const withFe = opts.frontend ? [...files, feFile] : files;
    // One openssl run for every certificate's text (SANs, dates, key size, usages), the CA's too.
    const texts = certificateTexts([ca, ...withFe], tmp);
    caText = texts[0];
    recs.forEach((rec, i) => certs.push({ name: rec.name, file: files[i], rec, sans: sansOf(texts[i + 1]), text: texts[i + 1] }));
    if (opts.frontend) fe = { file: feFile, text: texts[texts.length - 1] };
    const v = spawnSync('openssl', ['verify', '-x509_strict', '-attime', AT, '-CAfile', ca, ...withFe], { encoding: 'utf8' });
    verified = v.stdout + v.stderr;
  });
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  /** The verify answer for one file: its own line. */
  const verifyLine = (file: string) => verified.split('\n').filter((l) => l.startsWith(`${file}: `));

  test('openssl: the CA is the output, self-signed, a CA, RSA 3072; every certificate chains to it at issue time; a foreign CA is refused', () => {
    expect(fs.readFileSync(ca, 'utf8')).toBe(run.caOutput);
    expect(caText).toMatch(/Public-Key: \(3072 bit\)/);
    expect(caText).toMatch(/CA:TRUE/);
    expect(certs.length).toBeGreaterThanOrEqual(NODE_IDS.length + 1);
    for (const c of certs) expect(verifyLine(c.file)).toEqual([`${c.file}: OK`]);
    const foreign = spawnSync('openssl', ['verify', '-attime', AT, '-CAfile', path.join(__dirname, '..', 'fixtures', 'keys', 'ca.cert.pem'), certs[0].file], { encoding: 'utf8' });
    expect(foreign.status).not.toBe(0);
  });

  test('openssl: each certificate carries exactly the SANs its request asked for, and each node the names its clients use', () => {
    for (const c of certs) {
      const csr = run.records.find((r) => r.type === CSR && r.name === c.name.replace(/-(ca-)?cert$/, '-csr'))!;
      expect({ c: c.name, ...c.sans }).toEqual({ c: c.name, dns: (csr.inputs.dnsNames as string[]) ?? [], ips: (csr.inputs.ipAddresses as string[]) ?? [] });
    }
    for (const id of NODE_IDS) {
      const c = certs.find((x) => new RegExp(`-keys-${id}-tls-g\\d+-cert$`).test(x.name))!;
      const want = run.nodeSans(id);
      expect({ id, ...c.sans }).toEqual({ id, dns: want.dns, ips: want.ips });
      expect(c.text).toMatch(/TLS Web Server Authentication, TLS Web Client Authentication/);
    }
  });

  test('openssl: RSA >= 2048 everywhere; valid from issue for the period asked (leaf certificates within the CA\'s life)', () => {
    const caEnd = validity(caText)[1];
    for (const c of certs) {
      const bits = Number(/Public-Key: \((\d+) bit\)/.exec(c.text)![1]);
      expect({ c: c.name, ok: bits >= 2048 }).toEqual({ c: c.name, ok: true });
      const [start, end] = validity(c.text);
      expect(start).toBe(Date.parse(MOCK_ISSUE_TIME));
      expect({ c: c.name, hours: (end - start) / 3600_000 }).toEqual({ c: c.name, hours: Number(c.rec.inputs.validityPeriodHours) });
      expect(end).toBeLessThanOrEqual(caEnd);
    }
  });

  test('every node\'s material pairs each private key with its certificate, chained to the CA output', () => {
    for (const id of NODE_IDS) {
      const doc = JSON.parse(run.material(id)) as KeystoreMaterial;
      expect(() => parseKeystoreMaterial(doc)).not.toThrow();
      expect(doc.caCertificate.trim()).toBe(run.caOutput.trim());
      for (const store of doc.keystores) {
        for (const e of store.entries) {
          const leaf = new crypto.X509Certificate(e.certificateChain[0]);
          const pub = crypto.createPublicKey(e.privateKey).export({ type: 'spki', format: 'der' });
          expect({ id, file: store.file, match: leaf.publicKey.export({ type: 'spki', format: 'der' }).equals(pub) }).toEqual({ id, file: store.file, match: true });
          expect({ id, file: store.file, signedByCa: leaf.verify(new crypto.X509Certificate(run.caOutput).publicKey) }).toEqual({ id, file: store.file, signedByCa: true });
        }
      }
    }
  });

  if (opts.frontend) {
    test('the front end\'s own certificate chains to the CA every truststore holds (openssl) and names the public hostnames', () => {
      expect(verifyLine(fe!.file)).toEqual([`${fe!.file}: OK`]);
      expect(sansOf(fe!.text).dns).toEqual(opts.frontend!.dns);
    });
  }
}

/** The EC2 stacks: SANs are the node's private IP, the hostnames it serves, localhost. */
export function ec2CertificateRun(run: {
  records: readonly RecordedResource[];
  outputs: Record<string, unknown>;
  config: { hostname: string; mgtHostname: string; dashboardHostname: string };
}): CertificateRun {
  const ips = run.outputs.nodeAddresses as Record<string, string>;
  const served = (id: NodeId) => (roleOfNode(id) === 'is' ? [run.config.hostname, run.config.mgtHostname] : [run.config.dashboardHostname]);
  return {
    records: run.records,
    caOutput: String(run.outputs.deploymentCaCertificate),
    nodeSans: (id) => ({ dns: [...served(id), 'localhost'], ips: [ips[id], '127.0.0.1'] }),
    material: (id) => String(run.records.find((r) => r.type === 'aws:secretsmanager/secretVersion:SecretVersion' && r.name.endsWith(`-${id}-keys-value`))!.inputs.secretString),
  };
}

/** The Kubernetes stacks: SANs are the pod DNS name and headless Service names, the hostnames it serves, localhost. */
export function k8sCertificateRun(
  run: { records: readonly RecordedResource[]; outputs: Record<string, unknown> },
  ns: string,
  hostnames: { hostname: string; mgtHostname: string; dashboardHostname: string },
): CertificateRun {
  const secret = (name: string) => run.records.find((r) => r.type === 'kubernetes:core/v1:Secret' && (r.inputs.metadata as { name?: string }).name === name)!;
  const served = (id: NodeId) => (roleOfNode(id) === 'is' ? [hostnames.hostname, hostnames.mgtHostname] : [hostnames.dashboardHostname]);
  return {
    records: run.records,
    caOutput: String(run.outputs.deploymentCaCertificate),
    nodeSans: (id) => {
      const role = roleOfNode(id);
      const headless = STATEFULSET_OF[role].headless;
      return { dns: [podDnsName(role, ROLE_NODE_IDS[role].indexOf(id), ns), headless, `${headless}.${ns}.svc.cluster.local`, ...served(id), 'localhost'], ips: ['127.0.0.1'] };
    },
    material: (id) => String((secret(SECRET_NAMES_K8S.keys).inputs.stringData as Record<string, string>)[keyMaterialFileName(id)]),
    frontendCertificate: String((secret(SECRET_NAMES_K8S.tls).inputs.stringData as Record<string, string>)['tls.crt']),
  };
}
