import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SERVER_NODE_FLAGS } from '../app/node-flags.ts';

const ROOT = resolve(import.meta.dirname, '..');
const read = (file: string) => readFileSync(resolve(ROOT, file), 'utf8');

describe('the server process starts with the flags in app/node-flags.ts', () => {
  it('npm start passes them to node', () => {
    const start = JSON.parse(read('package.json')).scripts.start as string;
    expect(start).toBe(`exec node ${SERVER_NODE_FLAGS.join(' ')} scripts/start.ts`);
  });

  it("the Docker image's command passes them to node", () => {
    const command = read('Dockerfile')
      .split('\n')
      .filter((line) => line.startsWith('CMD '))
      .at(-1);
    expect(JSON.parse(command?.slice('CMD '.length) ?? 'null')).toEqual([
      'node',
      ...SERVER_NODE_FLAGS,
      'main.ts',
    ]);
  });
});
