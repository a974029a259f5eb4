import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { maskSecrets } from '../app/start-failure.ts';
import { DataDirectoryInUse, lockDataDirectory } from '../db/data-dir-lock.ts';

describe('start-up safety', () => {
  it('masks every password of a connection string, also one holding "@", and password= parameters', () => {
    expect(maskSecrets('at postgres://support:p@ss@db.example:5432/app now')).toBe(
      'at postgres://support:***@db.example:5432/app now',
    );
    expect(maskSecrets('postgresql://u:secret@h/d and postgres://v:other@k/e')).toBe(
      'postgresql://u:***@h/d and postgres://v:***@k/e',
    );
    expect(maskSecrets('postgres://u@h/d?sslmode=require&password=secret')).toBe(
      'postgres://u@h/d?sslmode=require&password=***',
    );
  });

  it('a data directory locked by this very process is in use, not stale; released, it can be locked again', () => {
    const directory = mkdtempSync(join(tmpdir(), 'switchboard-lock-'));
    try {
      const first = lockDataDirectory(directory);
      expect(() => lockDataDirectory(directory)).toThrow(DataDirectoryInUse);
      first.release();
      lockDataDirectory(directory).release();
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});
