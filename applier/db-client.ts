/**
 * `applier db-client`: what the EC2 boot script's databases step needs before it asks the database
 * anything (shell/ec2-boot-db-wait.sh), in one node start: the MySQL/MariaDB client option file of
 * the node's own account (its password from the stack secret, never on a command line) and the
 * checked CA bundle the client verifies the server with.
 */
import * as fs from 'fs';
import type { SecretName } from '../secret-names';
import { CaBundleName, writeCaBundleFile } from './ca-bundles';

/** The secret (secret-names.ts) holding the password of the nodes' database account. */
const DB_PASSWORD_KEY: SecretName = 'db_password';

/**
 * A client option file: `[client]`, the user, the password double-quoted with backslash, double
 * quote, line feed and carriage return escaped as the client reads option values (a password may
 * hold any of them).
 */
export function clientOptionFile(user: string, password: string): string {
  if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(user)) throw new Error('db-client: the user must be a plain account name');
  const escaped = password.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
  return `[client]\nuser=${user}\npassword="${escaped}"\n`;
}

/** Writes `text` to `file` with mode 0600 (a file already there, such as mktemp's, included). */
function writePrivate(file: string, text: string): void {
  const fd = fs.openSync(file, 'w', 0o600);
  try {
    fs.fchmodSync(fd, 0o600);
    fs.writeFileSync(fd, text);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * The option file (`optionsFile`, 0600) of `user` with the secrets' `db_password`, and CA bundle
 * `ca` (pinned digest and CA certificates checked) written atomically to `caOut` (0644); nothing
 * is written when the password cannot be.
 * Errors name the file and the key, never a value. Returns the log lines.
 */
export function writeDbClient(secrets: Record<string, string>, secretsFile: string, user: string, optionsFile: string, ca: CaBundleName, caOut: string): string[] {
  const value = secrets[DB_PASSWORD_KEY];
  if (typeof value !== 'string') throw new Error(`secrets file ${secretsFile} has no "${DB_PASSWORD_KEY}"`);
  // Trailing line feeds dropped, as the db-init runner reads the value it gives the account
  // (shell/ec2-db-init-run.sh): the password the account has.
  const password = value.replace(/\n+$/, '');
  // The client would end the value at the NUL, and the db-init runner refuses such a password.
  if (password.includes('\0')) throw new Error(`secrets file ${secretsFile}: "${DB_PASSWORD_KEY}" holds a NUL byte, which a client option file cannot carry`);
  const options = clientOptionFile(user, password);
  const caLine = writeCaBundleFile(ca, caOut);
  writePrivate(optionsFile, options);
  return [`wrote the client options of ${user} to ${optionsFile}`, caLine];
}
