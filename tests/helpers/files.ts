/** File-tree helpers shared by the tests that apply change sets to product homes. */
import * as fs from 'fs';
import * as path from 'path';
import { SECRET_PLACEHOLDER_RE } from '../../topology';

/** Every file under `home`: relative path to bytes (directories are walked, not listed). */
export function snapshotFiles(home: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else out.set(path.relative(home, p), fs.readFileSync(p));
    }
  };
  walk(home);
  return out;
}

/**
 * Every text file under a product home's configuration and deployment trees that still holds a
 * secret placeholder, in path order: the oracle for "filled everything" and for the two-step
 * (apply, then fill) result the one-pass apply must equal.
 */
export function findSecretFiles(home: string): string[] {
  const found: string[] = [];
  const walk = (rel: string) => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(path.join(home, rel), { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      const child = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(child);
      else if (e.isFile()) {
        const buf = fs.readFileSync(path.join(home, child));
        if (buf.includes(0)) continue; // binary (keystores, jars)
        if (new RegExp(SECRET_PLACEHOLDER_RE.source).test(buf.toString('latin1'))) found.push(child);
      }
    }
  };
  for (const d of ['repository/conf', 'repository/deployment', 'conf']) walk(d);
  return found;
}
