/**
 * The two test tiers, one line per tests/*.test.ts file (tests/test-tiers.test.ts checks that every
 * test file is in exactly one tier, so none can be dropped silently; jest.config.js builds its two
 * projects from these lists).
 *
 * fast: runs in the jest process only: config, topology model, renderers, the applier on temp
 *   dirs, the Pulumi program under mocks where no tool checks its output. The one tool allowed is
 *   xmllint, a read-only well-formedness and XPath oracle taking milliseconds; any other child
 *   process throws (tests/helpers/fast-tier-guard.js).
 * system: starts real tools: nginx, MariaDB, shell scripts, shellcheck, cloud-init, openssl,
 *   keytool, the zip tool, the plan CLI or the bundled applier in a child node.
 */
'use strict';

const FAST = [
  'analytics-sp',
  'analytics-vault-render',
  'applier',
  'applier-one-pass',
  'config',
  'config-declarations',
  'config-types',
  'cost',
  'function-length',
  'das-keystores', // the DAS change set's key material on stock-shaped fixtures (xmllint)
  'das-properties',
  'ec2-first-start',
  'edge-admin-filter', // CIDR regexes, the Carbon web.xml filter (xmllint)
  'edge-config', // dns.hostedZoneId, acmCertificateArn
  'is-apply',
  'is-render',
  'k8s-pod-specs',
  'node-count-model', // is.nodeCount 3 and 5: model, renderers, pod-ordinal scripts
  'keys-config', // keys.* config rules, key material documents (Node crypto only)
  'test-tiers',
];

const SYSTEM = [
  'ec2-existing-vpc', // the program under mocks (the applier bundle may be built): network.vpcId
  'analytics-tls-floor', // java, keytool, openssl
  'analytics-vault', // java, javac, keytool, openssl (the keystores step)
  'applier-bundle', // the bundled applier in a child node
  'applier-explode', // zip / unzip, the bundled CLI racing itself
  'applier-explode-boot', // EC2 boot scripts in a sandbox
  'applier-secrets', // MariaDB
  'vault-crypto', // javac/java, openssl
  'is-vault', // javac/java
  'boot', // EC2 boot scripts in a sandbox
  'das', // the bundled applier in a child node
  'das-vault', // javac/java: Secure Vault on an applied DAS home
  'das-db-init', // MariaDB
  'db-init', // MariaDB, shellcheck
  'ec2-das', // cloud-init schema
  'ec2-edge-arn', // the program under mocks: acmCertificateArn
  'ec2-edge-zone', // the program under mocks (cloud-init schema): dns.hostedZoneId, adminCidrs
  'ec2-dev', // cloud-init schema
  'ec2-jdbc-sha',
  'ec2-long-stack',
  'ec2-prod', // cloud-init schema; least privilege as data (fixtures/ec2/iam-checks.ts)
  'ec2-shell', // shellcheck, bash -n
  'ec2-units', // cloud-init, javac/java (stop harness)
  'edge-admin-filter-java', // java: the admin-surface regexes under java.util.regex
  'ec2-vault-start', // bash, node
  'is-properties-jvm', // java
  'is-keystores-plan', // the plan CLI
  'jdbc-tls', // MariaDB with TLS, openssl
  'k8s-das', // sh
  'k8s-db-wait', // MariaDB, sh
  'k8s-eks', // the Pod Security Standards checker in a child node (fixtures/k8s/pod-security-eks.ts)
  'k8s-eks-prod', // the program under mocks
  'k8s-local', // shellcheck, openssl, the Pod Security Standards checker in a child node; with the
  // schema and key-material checks of the same run (fixtures/k8s/{pod-security-local,schema-checks,keys-checks}.ts)
  'k8s-local-prod', // the program under mocks
  'k8s-namespace-adopt', // the program under mocks
  'node-count-plan', // the plan CLI: is.nodeCount 2, 3, 5 on dev and local
  'k8s-netpol',
  'k8s-shell', // shellcheck
  'k8s-stop', // unshare, sh as PID 1
  'keystores', // keytool, javac, java, openssl, the bundled applier
  'keystores-material', // openssl makes the test material
  'keystores-pkcs12', // openssl, keytool
  'k8s-scripts', // sh, shellcheck, zip
  'ec2-db-init-runner', // cloud-init schema, shellcheck, the runner script in a sandbox (unzip, python3)
  'keys-graph', // the program under mocks (EC2): key material and its delivery
  'keys-k8s-phases', // keytool: the Kubernetes split of the keystores step run for real
  'nginx', // nginx, openssl
  'nginx-resolver', // nginx, openssl, shellcheck
  'plan', // the plan CLI
  'plan-fixture', // the plan CLI (the fixture program; with shindig.war in the stock tree too)
  'plan-inprocess', // a whole plan
  'plan-lib',
  'rds-ca-bundle', // keytool, openssl, the bundled applier
];

/** Test file path, relative to the repository root, of a name in the lists above. */
const file = (name) => `tests/${name}.test.ts`;

module.exports = { FAST, SYSTEM, file };
