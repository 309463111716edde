import fs from 'node:fs';
import path from 'node:path';

let cached: string | null = null;

/** The repository root (the folder holding package.json), from source or from dist/. */
export function projectRoot(): string {
  if (cached) return cached;
  let dir = __dirname;
  for (;;) {
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, 'views'))) {
      cached = dir;
      return dir;
    }
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('cannot find the project root from ' + __dirname);
    dir = parent;
  }
}
