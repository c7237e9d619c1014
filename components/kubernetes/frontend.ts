/**
 * The front end of the Kubernetes platform: nginx (2 replicas) with the rendered site, a TLS
 * Secret (the configured certificate, else one the deployment CA issues) and a LoadBalancer Service (an NLB
 * on AWS).
 */
import * as path from 'path';
import * as pulumi from '@pulumi/pulumi';
import * as k8s from '@pulumi/kubernetes';
import * as tls from '@pulumi/tls';
import { Topology } from '../../topology';
import { renderNginxConf } from '../../config-templates';
import { PlatformContext } from './context';
import { CONFIG_MAP_NAMES, NAMES, PART_OF, SECRET_NAMES_K8S, appLabels } from './names';
import { NAMESERVER_PLACEHOLDER, NGINX_PATHS } from './paths';
import { configChecksum } from './checksums';
import { nginxStartScript } from './scripts';
import { nginxPodSpec } from './pod-specs';
import { checksumAnnotation } from './workloads';

/**
 * How long nginx keeps a node-name lookup (overriding the record's TTL): a recreated IS pod's new
 * address is picked up within about this long.
 */
const NGINX_RESOLVER_VALID = '10s';
/** Where the TLS Secret is mounted in the nginx pods. */
const TLS_DIR = '/etc/nginx/tls';
/** The private IPv4 ranges (RFC 1918): where local clusters put their pods and nodes. */
const RFC1918_CIDRS = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'];
/** `kubectl port-forward` connects to the pod's loopback: it needs cluster credentials. */
const PORT_FORWARD_CIDR = '127.0.0.1/32';

/**
 * The "private network" nginx trusts besides `network.adminCidrs` on its admin surfaces: the
 * cluster's own pods and nodes, and `kubectl port-forward`. On EKS (VPC CNI) pods and nodes have
 * addresses of the cluster's VPC, `network.vpcCidr`; a local cluster's pod and node ranges are
 * not known to the program, but kind, minikube, k3d and Docker Desktop take them from RFC 1918.
 * @param onAws whether the cluster is EKS
 * @param vpcCidr the cluster VPC's CIDR (`network.vpcCidr`)
 */
export function privateNetworkCidrs(onAws: boolean, vpcCidr: string): string[] {
  return [...(onAws ? [vpcCidr] : RFC1918_CIDRS), PORT_FORWARD_CIDR];
}

/** The deployment CA that issues the front end's certificate when config brings none (KeyMaterial.caSigner). */
export interface FrontendCa {
  /** The CA's private key (a secret). */
  privateKeyPem: pulumi.Input<string>;
  /** The CA's certificate. */
  certPem: pulumi.Input<string>;
}

/**
 * The front end's TLS Secret: the configured certificate and key, else a key of its own with a
 * certificate from the deployment CA, which every node's truststore holds (seed 000 imports the
 * front end's certificate into client-truststore.jks; trusting its issuer covers it and its renewals).
 * @param ctx the platform context
 * @param ca the deployment CA
 */
function frontendTls(ctx: PlatformContext, ca: FrontendCa): k8s.core.v1.Secret {
  const { name, cfg, parent, meta, inNs } = ctx;
  let certPem: pulumi.Input<string>;
  let keyPem: pulumi.Input<string>;
  if (cfg.tls.certificate && cfg.tls.privateKey) {
    certPem = cfg.tls.certificate;
    keyPem = cfg.tls.privateKey;
  } else {
    const key = new tls.PrivateKey(`${name}-tls-key`, { algorithm: 'RSA', rsaBits: 2048 }, { parent });
    const csr = new tls.CertRequest(
      `${name}-tls-csr`,
      { privateKeyPem: key.privateKeyPem, subject: { commonName: cfg.hostname, organization: 'WSO2 IS pattern 2' }, dnsNames: [cfg.hostname, cfg.mgtHostname, cfg.dashboardHostname] },
      { parent },
    );
    const cert = new tls.LocallySignedCert(
      `${name}-tls-ca-cert`,
      {
        certRequestPem: csr.certRequestPem,
        caPrivateKeyPem: ca.privateKeyPem,
        caCertPem: ca.certPem,
        validityPeriodHours: 24 * 365,
        earlyRenewalHours: 24 * 30,
        allowedUses: ['key_encipherment', 'digital_signature', 'server_auth'],
      },
      { parent },
    );
    certPem = cert.certPem;
    keyPem = key.privateKeyPem;
  }
  return new k8s.core.v1.Secret(
    `${name}-frontend-tls`,
    { metadata: meta(SECRET_NAMES_K8S.tls), type: 'kubernetes.io/tls', stringData: { 'tls.crt': certPem, 'tls.key': pulumi.secret(keyPem) } },
    inNs(),
  );
}

/**
 * Annotations of the LoadBalancer Service: an internet-facing NLB on AWS; locally, not awaited.
 * @param onAws whether the cluster is EKS (RDS or EFS configured)
 */
function loadBalancerAnnotations(onAws: boolean): Record<string, string> {
  return onAws
    ? {
        'service.beta.kubernetes.io/aws-load-balancer-type': 'nlb',
        'service.beta.kubernetes.io/aws-load-balancer-scheme': 'internet-facing',
        'service.beta.kubernetes.io/aws-load-balancer-cross-zone-load-balancing-enabled': 'true',
        // The AWS Load Balancer Controller ignores the in-tree annotation above and reads this one.
        'service.beta.kubernetes.io/aws-load-balancer-attributes': 'load_balancing.cross_zone.enabled=true',
      }
    : {
        // Pulumi waits for a LoadBalancer Service's address; kind (without
        // cloud-provider-kind) and minikube (without `minikube tunnel`) never give one, so
        // `pulumi up` would fail after 10 minutes. Locally the Service is not awaited; reach
        // it by its address where the cluster gives one, else by `kubectl port-forward`.
        'pulumi.com/skipAwait': 'true',
      };
}

/**
 * nginx (2 replicas) with the rendered site, a TLS Secret and a LoadBalancer Service.
 * @param ctx the platform context
 * @param topology the model, with the database host (the site names the IS pods)
 * @param shape the model without an Output (the front-end ports)
 * @param deps what the nginx pods wait for (the IS StatefulSet)
 * @param ca the deployment CA (issues the TLS certificate when config brings none)
 * @returns the LoadBalancer Service
 */
export function frontend(ctx: PlatformContext, topology: pulumi.Output<Topology>, shape: Topology, deps: pulumi.Resource[], ca: FrontendCa): k8s.core.v1.Service {
  const { name, cfg, meta, inNs } = ctx;
  const labels = appLabels(NAMES.nginx);
  const onAws = cfg.database === 'rds' || cfg.sharedStorage === 'efs';
  const tlsSecret = frontendTls(ctx, ca);
  // Node names are re-resolved while nginx runs (a recreated IS pod has a new IP), through the
  // pod's DNS server, which the start script fills in.
  const conf = topology.apply((t) =>
    renderNginxConf(t, {
      httpsPort: t.frontendPorts.https,
      httpPort: t.frontendPorts.http,
      certificateFile: `${TLS_DIR}/tls.crt`,
      certificateKeyFile: `${TLS_DIR}/tls.key`,
      resolver: { address: NAMESERVER_PLACEHOLDER, valid: NGINX_RESOLVER_VALID },
      adminAccess: { adminCidrs: cfg.network.adminCidrs ?? [], privateCidrs: privateNetworkCidrs(onAws, cfg.network.vpcCidr) },
    }),
  );
  const templateFile = path.posix.basename(NGINX_PATHS.template);
  const start = nginxStartScript();
  const confCm = new k8s.core.v1.ConfigMap(`${name}-nginx-conf`, { metadata: meta(CONFIG_MAP_NAMES.nginx, 'frontend'), data: { [templateFile]: conf } }, inNs());
  const checksum = pulumi
    .all([conf, tlsSecret.metadata])
    .apply(([c, m]) => configChecksum({ [`nginx/${templateFile}`]: c, 'nginx/start': start, 'secrets': `${m?.name ?? ''}@${m?.resourceVersion ?? ''}` }));
  const ports = shape.frontendPorts;
  const deployment = new k8s.apps.v1.Deployment(
    `${name}-frontend`,
    {
      metadata: { name: NAMES.nginx, namespace: cfg.kubernetes.namespace, labels: { ...PART_OF } },
      spec: {
        replicas: 2,
        selector: { matchLabels: labels },
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 1 } },
        template: {
          metadata: { labels, annotations: checksumAnnotation(checksum) },
          spec: nginxPodSpec({
            image: cfg.kubernetes.images.nginx,
            start,
            ports,
            templateConfigMap: confCm.metadata.name,
            tlsSecret: tlsSecret.metadata.name,
            tlsDir: TLS_DIR,
            labels,
          }),
        },
      },
    },
    inNs({ dependsOn: [confCm, tlsSecret, ...deps] }),
  );
  new k8s.policy.v1.PodDisruptionBudget(
    `${name}-frontend-pdb`,
    { metadata: { name: `${NAMES.nginx}-pdb`, namespace: cfg.kubernetes.namespace }, spec: { maxUnavailable: 1, selector: { matchLabels: labels } } },
    inNs(),
  );
  return new k8s.core.v1.Service(
    `${name}-frontend-service`,
    {
      metadata: { name: NAMES.nginx, namespace: cfg.kubernetes.namespace, labels: { ...PART_OF }, annotations: loadBalancerAnnotations(onAws) },
      spec: {
        type: 'LoadBalancer',
        selector: labels,
        // EKS: the NLB sends to the nodes running nginx only, and kube-proxy keeps the client's
        // address (Cluster would rewrite it to a node's), so nginx's ip_hash sees clients and
        // a client stays on one IS node. The NLB's health check follows the Service's
        // healthCheckNodePort (HTTP /healthz, answered by kube-proxy) with either controller.
        ...(onAws ? { externalTrafficPolicy: 'Local' } : {}),
        loadBalancerSourceRanges: cfg.network.ingressCidrs,
        ports: [
          { name: 'https', port: ports.https, targetPort: 'https' },
          { name: 'http', port: ports.http, targetPort: 'http' },
        ],
      },
    },
    inNs({ dependsOn: [deployment] }),
  );
}
