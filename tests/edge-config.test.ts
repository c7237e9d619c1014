/**
 * The EC2 edge keys `dns.hostedZoneId` and `acmCertificateArn`: accepted shapes parse, bad shapes
 * and the wrong platform are refused up front naming the key.
 */
import { PROJECT, parseStackConfig } from '../config';
import { MIN_EC2, MIN_K8S, configRejection } from './helpers/stack-config';

const EC2 = MIN_EC2;
const K8S = MIN_K8S;
const ARN = 'arn:aws:acm:eu-west-1:123456789012:certificate/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
const zone = (id: unknown) => JSON.stringify({ hostedZoneId: id });

const rejected = (raw: Record<string, string>) => configRejection(raw);

test('accepted: a hosted zone id, an ACM ARN (any partition), both, neither', () => {
  expect(parseStackConfig({ ...EC2, dns: zone('Z0123456789ABCDEFGHIJ') }, 't').dns.hostedZoneId).toBe('Z0123456789ABCDEFGHIJ');
  expect(parseStackConfig({ ...EC2, dns: zone('Z1D633PJN98FT9') }, 't').dns.hostedZoneId).toBe('Z1D633PJN98FT9');
  expect(parseStackConfig({ ...EC2, acmCertificateArn: ARN }, 't').acmCertificateArn).toBe(ARN);
  const gov = ARN.replace('arn:aws:acm:eu-west-1', 'arn:aws-us-gov:acm:us-gov-west-1');
  expect(parseStackConfig({ ...EC2, acmCertificateArn: gov }, 't').acmCertificateArn).toBe(gov);
  const both = parseStackConfig({ ...EC2, acmCertificateArn: ARN, dns: zone('Z1D633PJN98FT9') }, 't');
  expect([both.acmCertificateArn, both.dns.hostedZoneId]).toEqual([ARN, 'Z1D633PJN98FT9']);
  const neither = parseStackConfig(EC2, 't');
  expect([neither.acmCertificateArn, neither.dns.hostedZoneId]).toEqual([undefined, undefined]);
});

test.each([
  ['a zone id with its /hostedzone/ prefix', { dns: zone('/hostedzone/Z1D633PJN98FT9') }, 'dns.hostedZoneId'],
  ['a lower-case zone id', { dns: zone('z1d633pjn98ft9') }, 'dns.hostedZoneId'],
  ['a zone id of the wrong shape', { dns: zone('Z12') }, 'dns.hostedZoneId'],
  ['a number for the zone id', { dns: zone(12345678901) }, 'dns.hostedZoneId'],
  ['an unknown dns field', { dns: JSON.stringify({ zone: 'Z1D633PJN98FT9' }) }, 'dns.zone'],
  ['an IAM server certificate ARN', { acmCertificateArn: 'arn:aws:iam::123456789012:server-certificate/x' }, 'acmCertificateArn'],
  ['an ACM ARN without region', { acmCertificateArn: 'arn:aws:acm::123456789012:certificate/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d' }, 'acmCertificateArn'],
  ['a certificate id alone', { acmCertificateArn: '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d' }, 'acmCertificateArn'],
  ['an ARN with a short account', { acmCertificateArn: ARN.replace('123456789012', '1234') }, 'acmCertificateArn'],
])('refused: %s', (_name, extra, key) => {
  const e = rejected({ ...EC2, ...(extra as Record<string, string>) });
  expect(e.key).toBe(key);
  expect(e.message).toContain(`${PROJECT}:${key}`);
});

test('refused on kubernetes, naming the key (the nginx front end takes tlsCertificate)', () => {
  expect(rejected({ ...K8S, dns: zone('Z1D633PJN98FT9') }).key).toBe('dns.hostedZoneId');
  const e = rejected({ ...K8S, acmCertificateArn: ARN });
  expect(e.key).toBe('acmCertificateArn');
  expect(e.message).toMatch(/tlsCertificate/);
});

test('tlsCertificate on ec2 points at the ACM keys', () => {
  const cert = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----';
  const e = rejected({ ...EC2, tlsCertificate: cert, tlsPrivateKey: '-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----' });
  expect(e.key).toBe('tlsCertificate');
  expect(e.message).toMatch(/acmCertificateArn.*dns\.hostedZoneId/);
});
