/** File-tree helpers shared by the tests that apply change sets to product homes. */
import * as fs from 'fs';
import * as path from 'path';

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
