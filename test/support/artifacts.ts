import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** What tests leave for people to look at (screenshots, rendered texts): test-artifacts/, git-ignored. */
export const ARTIFACTS = resolve(import.meta.dirname, '../../test-artifacts');

/** Writes `text` to test-artifacts/`name`, making its folder when it is not there yet. */
export function writeArtifact(name: string, text: string) {
  const path = join(ARTIFACTS, name);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}
