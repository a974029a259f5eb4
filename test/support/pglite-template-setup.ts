import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';

/**
 * Vitest's global set-up: makes the install's PGlite template for the current migrations unless it exists
 * (what `npm install` does), so that the tests' in-memory databases load its archive after a pull brought
 * new migrations, instead of each running initdb and every migration (db/orm.ts).
 */
export default async function makePgliteTemplate() {
  await promisify(execFile)(process.execPath, ['scripts/make-pglite-template.ts'], {
    cwd: resolve(import.meta.dirname, '../..'),
  });
}
