import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LOCK_FILE } from './data-dir-lock.ts';

/**
 * A migrated PGlite cluster made once (`npm install`'s postinstall, the Docker build:
 * scripts/make-pglite-template.ts) that new data directories are copied from: creating a cluster
 * (PGlite's initdb) and migrating it costs seconds on every new DATA_DIR, a copy a few tens of ms.
 *
 * A template is keyed by everything its contents depend on: the PGlite and pg-boss versions and the
 * migrations' source. It lives in a directory named by its key, so a template made for other migrations
 * or another PGlite is never found, let alone used; without one, PGlite creates the cluster as before.
 */

const ROOT = resolve(import.meta.dirname, '..');
/** Where templates live by default: a cache inside the install, dropped with node_modules. */
export const DEFAULT_TEMPLATE_ROOT = join(ROOT, 'node_modules/.cache/switchboard/pglite-template');
/** Written into a data directory while it is being seeded; a directory holding it is an unfinished seed. */
export const SEEDING_MARKER = 'switchboard-seeding';
/** Inside a template: its key. A directory without it (or with another key) is not a template. */
const TEMPLATE_STAMP = 'switchboard-template.json';
/**
 * Inside a template: the same cluster as one tar archive (PGlite's `dumpDataDir`), which an in-memory
 * PGlite loads at once (`loadDataDir`) instead of running initdb and every migration (the tests' databases).
 */
export const TEMPLATE_ARCHIVE = 'switchboard-template.tar';
/** Bumped when what a template holds changes in a way the key below does not see. */
const TEMPLATE_FORMAT = 2;
/** Templates of other keys (older installs' migrations) are removed once this old. */
const STALE_TEMPLATE_MS = 24 * 60 * 60 * 1000;

/** What a template's contents depend on. */
export type TemplateInputs = { pgliteVersion: string; pgBossVersion: string; migrationsDir: string };

export function currentTemplateInputs(): TemplateInputs {
  return {
    pgliteVersion: packageVersion('@electric-sql/pglite'),
    pgBossVersion: packageVersion('pg-boss'),
    migrationsDir: join(import.meta.dirname, 'migrations'),
  };
}

/** The key of a template made from `inputs`: a hash of the versions and of every migration file. */
export function templateKey(inputs: TemplateInputs = currentTemplateInputs()): string {
  const hash = createHash('sha256');
  hash.update(`format ${TEMPLATE_FORMAT}\npglite ${inputs.pgliteVersion}\npg-boss ${inputs.pgBossVersion}\n`);
  for (const name of readdirSync(inputs.migrationsDir).sort()) {
    const path = join(inputs.migrationsDir, name);
    if (!statSync(path).isFile()) continue;
    hash.update(`${name}\n`);
    hash.update(readFileSync(path));
  }
  return hash.digest('hex').slice(0, 24);
}

/** The template of `key` under `root` when one is complete there. */
export function findTemplate(key: string, root = DEFAULT_TEMPLATE_ROOT): string | undefined {
  const directory = join(root, key);
  try {
    const stamp = JSON.parse(readFileSync(join(directory, TEMPLATE_STAMP), 'utf8')) as { key?: string };
    return stamp.key === key ? directory : undefined;
  } catch {
    return undefined;
  }
}

/** The archive of the template of `key` under `root` (see TEMPLATE_ARCHIVE), when there is one. */
export function findTemplateArchive(key = templateKey(), root = DEFAULT_TEMPLATE_ROOT): string | undefined {
  const template = findTemplate(key, root);
  const archive = template && join(template, TEMPLATE_ARCHIVE);
  return archive && existsSync(archive) ? archive : undefined;
}

/**
 * Seeds a new PGlite data directory (one holding nothing but our lock, or an unfinished seed) with a
 * copy of the template, when there is one for the current key. Returns whether it did; 'fresh' leaves
 * the directory to PGlite, which creates a new cluster in it. The caller holds the directory's lock.
 * A seed in progress is marked: one cut short (a crash) is emptied and made again, one that fails (the
 * template removed mid-copy) is emptied. A directory with anything else in it is never touched.
 */
export function seedDataDirectory(
  dataDir: string,
  {
    key = templateKey(),
    root = DEFAULT_TEMPLATE_ROOT,
    copy = (from: string, to: string) => cpSync(from, to, { recursive: true, force: true }),
  }: { key?: string; root?: string; copy?: (from: string, to: string) => void } = {},
): 'seeded' | 'fresh' | 'existing' {
  const entries = readdirSync(dataDir).filter((name) => name !== LOCK_FILE);
  if (entries.length > 0 && !entries.includes(SEEDING_MARKER)) return 'existing';
  if (entries.length > 0) undoSeed(dataDir);
  const template = findTemplate(key, root);
  if (!template) return 'fresh';
  try {
    writeFileSync(join(dataDir, SEEDING_MARKER), `${key}\n`);
    for (const name of readdirSync(template)) {
      if (name === TEMPLATE_STAMP || name === TEMPLATE_ARCHIVE || name === LOCK_FILE) continue;
      copy(join(template, name), join(dataDir, name));
    }
    rmSync(join(dataDir, SEEDING_MARKER));
    return 'seeded';
  } catch {
    // A template removed mid-copy, a full disk: PGlite creates the cluster in the emptied directory.
    undoSeed(dataDir);
    return 'fresh';
  }
}

/** Removes what a seed copied (everything but the lock), the marker last: a cut undo is redone. */
function undoSeed(dataDir: string) {
  for (const name of readdirSync(dataDir)) {
    if (name !== LOCK_FILE && name !== SEEDING_MARKER)
      rmSync(join(dataDir, name), { recursive: true, force: true });
  }
  rmSync(join(dataDir, SEEDING_MARKER), { force: true });
}

/**
 * Makes the template of the current key under `root` unless it exists: `build(directory, archive)`
 * creates the migrated cluster in an empty directory, and may write it as an archive to `archive` (inside
 * the directory, never copied into a data directory); it becomes the template only once complete (a rename), so a
 * half-made template is never found. Two makers at once are harmless: the second rename loses. Templates
 * of other keys older than a day are removed. Returns the template's directory.
 */
export async function makeTemplate(
  build: (directory: string, archive: string) => Promise<void>,
  { key = templateKey(), root = DEFAULT_TEMPLATE_ROOT }: { key?: string; root?: string } = {},
): Promise<{ directory: string; made: boolean }> {
  const existing = findTemplate(key, root);
  if (existing) return { directory: existing, made: false };
  mkdirSync(root, { recursive: true });
  const building = join(root, `.building-${key}-${process.pid}`);
  rmSync(building, { recursive: true, force: true });
  mkdirSync(building);
  try {
    await build(building, join(building, TEMPLATE_ARCHIVE));
    rmSync(join(building, LOCK_FILE), { force: true });
    writeFileSync(
      join(building, TEMPLATE_STAMP),
      `${JSON.stringify({ key, madeAt: new Date().toISOString() })}\n`,
    );
    const directory = join(root, key);
    rmSync(directory, { recursive: true, force: true });
    try {
      renameSync(building, directory);
    } catch (error) {
      // Another maker finished first: theirs is the same template.
      if (!findTemplate(key, root)) throw error;
    }
    pruneTemplates(root, key);
    return { directory, made: true };
  } finally {
    rmSync(building, { recursive: true, force: true });
  }
}

function pruneTemplates(root: string, keep: string) {
  for (const name of readdirSync(root)) {
    if (name === keep) continue;
    const path = join(root, name);
    try {
      if (Date.now() - statSync(path).mtimeMs < STALE_TEMPLATE_MS) continue;
      // Out of the way first: a seed copying from it fails and falls back to a fresh cluster.
      const doomed = join(root, `.removing-${name}-${process.pid}`);
      renameSync(path, doomed);
      rmSync(doomed, { recursive: true, force: true });
    } catch {
      // Another process pruned it, or it is in use: left for the next time.
    }
  }
}

/** The installed version of a package (its package.json, found from its entry point). */
function packageVersion(name: string): string {
  let directory = dirname(fileURLToPath(import.meta.resolve(name)));
  for (;;) {
    const manifest = join(directory, 'package.json');
    if (existsSync(manifest)) {
      const { name: found, version } = JSON.parse(readFileSync(manifest, 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (found === name && version) return version;
    }
    const parent = dirname(directory);
    if (parent === directory) throw new Error(`cannot find the version of ${name}`);
    directory = parent;
  }
}
