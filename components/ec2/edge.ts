/**
 * The EC2 front end's certificate and DNS. The NLBs terminate TLS (load-balancers.ts), so they
 * need an ACM certificate for the public, management and dashboard hostnames, one of three:
 * - `acmCertificateArn`: the operator's own, used as is;
 * - `dns.hostedZoneId`: a public certificate ACM issues, validated by DNS records in that zone;
 * - neither: the deployment's own certificate for those names (keys.ts, signed by the deployment
 *   CA, private key a Pulumi secret) imported into ACM; clients trust the CA (stack output
 *   `deploymentCaCertificate`), and the operator creates the `dnsRecords` CNAMEs.
 * With `dns.hostedZoneId`, the three hostnames also get alias records to their NLBs.
 */
import * as pulumi from '@pulumi/pulumi';
import * as aws from '@pulumi/aws';
import type { StackConfig } from '../../config';
import type { KeyPair } from '../keys';
import type { LoadBalancers } from './load-balancers';

/** The three public names, by a stable key used in logical names. */
function publicNames(c: StackConfig): Record<'public' | 'mgt' | 'dash', string> {
  return { public: c.hostname, mgt: c.mgtHostname, dash: c.dashboardHostname };
}

export interface EdgeCertificateArgs {
  /** The validated stack configuration (hostnames, `acmCertificateArn`, `dns.hostedZoneId`). */
  config: StackConfig;
  /** The deployment's own pair for the public names; required when neither key is set. */
  frontend?: KeyPair;
  /** The deployment CA certificate: the imported certificate's chain. */
  caCertificate: pulumi.Input<string>;
  /** Tags on every resource. */
  tags: Record<string, string>;
}

/**
 * The certificate ARN the TLS listeners use (for a DNS-validated one, the validation's output, so
 * the listeners wait until ACM has issued it). Children: `${name}-cert` (issued or imported),
 * `${name}-cert-validation-<public|mgt|dash>` records and `${name}-cert-validation`.
 * @param name Prefix of the children's logical names.
 * @param args Configuration, the deployment's pair and CA, tags.
 * @param parent The platform component.
 */
export function edgeCertificate(name: string, args: EdgeCertificateArgs, parent: pulumi.Resource): pulumi.Output<string> {
  const c = args.config;
  if (c.acmCertificateArn) return pulumi.output(c.acmCertificateArn);
  const zoneId = c.dns.hostedZoneId;
  if (!zoneId) {
    if (!args.frontend) throw new Error('the EC2 front end needs the deployment certificate for the public names (KeyMaterial frontendPair)');
    const imported = new aws.acm.Certificate(
      `${name}-cert`,
      { privateKey: args.frontend.privateKey, certificateBody: args.frontend.certificate, certificateChain: args.caCertificate, tags: args.tags },
      { parent },
    );
    return imported.arn;
  }
  const names = publicNames(c);
  const cert = new aws.acm.Certificate(
    `${name}-cert`,
    { domainName: names.public, subjectAlternativeNames: [names.mgt, names.dash], validationMethod: 'DNS', keyAlgorithm: 'RSA_2048', tags: args.tags },
    // a new certificate is issued and validated before the listeners leave the old one
    { parent },
  );
  const records = (Object.keys(names) as (keyof typeof names)[]).map((key) => {
    const option = cert.domainValidationOptions.apply((opts) => {
      const o = opts.find((x) => x.domainName === names[key]);
      if (!o) throw new Error(`ACM gave no DNS validation record for ${names[key]}`);
      return o;
    });
    return new aws.route53.Record(
      `${name}-cert-validation-${key}`,
      { zoneId, name: option.resourceRecordName, type: option.resourceRecordType, records: [option.resourceRecordValue], ttl: 300, allowOverwrite: true },
      { parent },
    );
  });
  const validation = new aws.acm.CertificateValidation(`${name}-cert-validation`, { certificateArn: cert.arn, validationRecordFqdns: records.map((r) => r.fqdn) }, { parent });
  return validation.certificateArn;
}

/**
 * Alias records for the three hostnames in `dns.hostedZoneId` (none without it): the public
 * hostname to the public NLB, the management hostname to its own NLB, the dashboard hostname to
 * the dashboard NLB. Children: `${name}-dns-<public|mgt|dash>`.
 * @param name Prefix of the children's logical names.
 * @param c The validated stack configuration.
 * @param lbs The NLBs.
 * @param parent The platform component.
 */
export function edgeDnsRecords(name: string, c: StackConfig, lbs: LoadBalancers, parent: pulumi.Resource): void {
  const zoneId = c.dns.hostedZoneId;
  if (!zoneId) return;
  const names = publicNames(c);
  const target = { public: lbs.publicLb, mgt: lbs.mgtLb, dash: lbs.dashLb };
  for (const key of Object.keys(names) as (keyof typeof names)[]) {
    new aws.route53.Record(
      `${name}-dns-${key}`,
      { zoneId, name: names[key], type: 'A', aliases: [{ name: target[key].dnsName, zoneId: target[key].zoneId, evaluateTargetHealth: true }] },
      { parent },
    );
  }
}
