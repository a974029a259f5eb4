import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/**
 * Whether `dist/` holds a build of the browser apps' current sources. Plain `node:fs`, no Vite: `npm start`
 * asks this on every start, also on a production install without devDependencies.
 */

/** Everything a build of the browser apps is made from (directories are walked), relative to the root. */
export const BUILD_SOURCES = ['widget', 'miniapp', 'contract', 'scripts/build.ts', 'package-lock.json'];

/** Written by `npm run build` after a complete, within-budget build; removed when a build begins. */
export const BUILD_STAMP = 'dist/build-stamp.json';

export type BuildState =
  | { state: 'fresh' }
  | { state: 'missing' }
  | { state: 'stale' /** The newest source, relative to the root. */; newest: string };

export function browserBuildState(root: string): BuildState {
  const stamp = join(root, BUILD_STAMP);
  if (!existsSync(stamp)) return { state: 'missing' };
  const builtAt = statSync(stamp).mtimeMs;
  let newest: { path: string; mtimeMs: number } | undefined;
  for (const source of BUILD_SOURCES) {
    for (const file of filesUnder(join(root, source))) {
      if (file.mtimeMs > builtAt && (!newest || file.mtimeMs > newest.mtimeMs)) newest = file;
    }
  }
  return newest ? { state: 'stale', newest: relative(root, newest.path) } : { state: 'fresh' };
}

/** The file, or the directory and everything in it. */
function filesUnder(path: string): { path: string; mtimeMs: number }[] {
  if (!existsSync(path)) return [];
  const stats = statSync(path);
  if (!stats.isDirectory()) return [{ path, mtimeMs: stats.mtimeMs }];
  // The directory itself too: a deleted file shows only in its directory's mtime.
  return [
    { path, mtimeMs: stats.mtimeMs },
    ...readdirSync(path).flatMap((name) =>
      name === 'node_modules' || name === 'dist' ? [] : filesUnder(join(path, name)),
    ),
  ];
}
