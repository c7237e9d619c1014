/**
 * A stand-in MySQL 8 client (there is none on this machine, only MariaDB's): answers `--version`
 * as MySQL 8.0 does, records each other call's arguments in `<file>.log` (one line per call) and
 * fails the TLS handshake as MySQL 8 does (error 2026), so a test can see which TLS options a
 * script chose for a MySQL 8 client and that it stops on a refused certificate.
 */
import * as fs from 'fs';

/** Writes the stand-in to `file` (executable, POSIX sh). */
export function writeMysql8StandIn(file: string): void {
  fs.writeFileSync(
    file,
    [
      '#!/bin/sh',
      'if [ "$1" = --version ]; then echo "mysql  Ver 8.0.40 for Linux on x86_64 (MySQL Community Server - GPL)"; exit 0; fi',
      'printf "%s\\n" "$*" >>"$0.log"',
      'echo "ERROR 2026 (HY000): SSL connection error: error:0A000086:SSL routines::certificate verify failed" >&2',
      'exit 1',
      '',
    ].join('\n'),
    { mode: 0o755 },
  );
}
