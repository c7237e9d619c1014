/**
 * SP analytics units on EC2 start through shell/ec2-vault-start.sh, which puts the Secure Vault
 * master keys, read from the stack secret at each start, into the product's environment only
 * (docs/architecture.md "Analytics Secure Vault"). Pure: lines of the boot script and unit files.
 */
import { AnalyticsFlavor, ProductProcess, Role } from '../../topology';
import { shellFile } from '../../config-templates/shell';

/** Where the boot script installs the wrapper: outside the root-only state directory, as the product user runs it. */
export const VAULT_START = '$ROOT/usr/local/libexec/wso2-pattern2/vault-start.sh';

/** Whether a node's product reads Secure Vault master keys from its environment (SP-based analytics). */
export function usesVaultStart(role: Role, flavor: AnalyticsFlavor): boolean {
  return role === 'analytics' && flavor === 'sp';
}

/**
 * The ExecStart (and the Environment= it needs) of a product unit. SP analytics: through the
 * wrapper; the secret's region and ARN are not secret and travel in the unit.
 */
export function execStart(role: Role, flavor: AnalyticsFlavor, proc: ProductProcess): string[] {
  if (!usesVaultStart(role, flavor)) return [`ExecStart=$HOME_DIR/${proc.command}`];
  return ['Environment=PATTERN2_REGION=$REGION', 'Environment=PATTERN2_SECRET_ARN=$SECRET_ARN', `ExecStart=/bin/bash ${VAULT_START} $HOME_DIR/${proc.command}`];
}

/** Boot-script lines installing the wrapper (quoted here-document: its own text, unexpanded; 0755, root's). */
export function vaultStartInstallLines(): string[] {
  const body = shellFile('ec2-vault-start.sh').replace(/\n$/, '').split('\n');
  if (body.includes('VAULT_START')) throw new Error('shell/ec2-vault-start.sh holds its here-document delimiter');
  return [`mkdir -p "${VAULT_START.slice(0, VAULT_START.lastIndexOf('/'))}"`, `write_if_changed "${VAULT_START}" 0755 <<'VAULT_START' || true`, ...body, 'VAULT_START'];
}
