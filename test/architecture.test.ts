import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The dependency direction of DESIGN.md §2: contract ← db ← core ← bot, server (and jobs, the pg-boss
 * outbox behind core's Outbox interface, and events, the LISTEN/NOTIFY bus behind core's EventBus); the
 * browser apps import only contract. `app/` and `main.ts` are
 * the composition root and may import anything.
 */
const ROOT = resolve(import.meta.dirname, '..');
const LAYERS = [
  'contract',
  'db',
  'core',
  'jobs',
  'events',
  'bot',
  'server',
  'widget',
  'miniapp',
  'app',
  'test',
  'bench',
] as const;
type Layer = (typeof LAYERS)[number];

const FORBIDDEN_LAYERS: Partial<Record<Layer, Layer[]>> = {
  contract: ['db', 'core', 'events', 'bot', 'server', 'widget', 'miniapp', 'app'],
  db: ['core', 'events', 'bot', 'server', 'widget', 'miniapp', 'app'],
  core: ['jobs', 'events', 'bot', 'server', 'widget', 'miniapp', 'app'],
  jobs: ['events', 'bot', 'server', 'widget', 'miniapp', 'app'],
  // The PostgreSQL (LISTEN/NOTIFY) implementation of core's EventBus: knows pg, not its users.
  events: ['jobs', 'bot', 'server', 'widget', 'miniapp', 'app'],
  bot: ['jobs', 'events', 'server', 'widget', 'miniapp', 'app'],
  server: ['jobs', 'events', 'bot', 'widget', 'miniapp', 'app'],
  widget: ['db', 'core', 'events', 'bot', 'server', 'miniapp', 'app'],
  miniapp: ['db', 'core', 'events', 'bot', 'server', 'widget', 'app'],
};
const FORBIDDEN_PACKAGES: Partial<Record<Layer, RegExp>> = {
  contract: /^(?!zod$)/,
  core: /^(koa|@koa\/|grammy|@grammyjs\/|pino|pg-boss|pg$)/,
  events: /^(koa|@koa\/|grammy|@grammyjs\/|pg-boss)/,
  db: /^(koa|@koa\/|grammy|@grammyjs\/)/,
  widget: /^(@mikro-orm\/|koa|@koa\/|grammy|@grammyjs\/|node:)/,
  miniapp: /^(@mikro-orm\/|koa|@koa\/|grammy|@grammyjs\/|node:)/,
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) return [];
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.(ts|tsx)$/.test(name) ? [path] : [];
  });
}

function importsOf(file: string): string[] {
  const source = readFileSync(file, 'utf8');
  return [...source.matchAll(/(?:from|import)\s*\(?\s*['"]([^'"]+)['"]/g)].map((match) => match[1] as string);
}

const layerOf = (path: string) => relative(ROOT, path).split('/')[0] as Layer;

describe('architecture', () => {
  const violations: string[] = [];
  for (const layer of LAYERS) {
    let files: string[] = [];
    try {
      files = sourceFiles(join(ROOT, layer));
    } catch {
      continue; // the layer does not exist yet
    }
    for (const file of files) {
      for (const specifier of importsOf(file)) {
        const where = `${relative(ROOT, file)} imports ${specifier}`;
        if (specifier.startsWith('.')) {
          const target = layerOf(resolve(file, '..', specifier));
          if (FORBIDDEN_LAYERS[layer]?.includes(target)) violations.push(where);
        } else if (FORBIDDEN_PACKAGES[layer]?.test(specifier)) {
          violations.push(where);
        }
      }
    }
  }

  it('imports follow contract ← db ← core ← bot, server; browser apps use only contract', () => {
    expect(violations).toEqual([]);
  });

  it('the check sees real imports', () => {
    expect(importsOf(join(ROOT, 'core/services.ts'))).toContain('./ticket.service.ts');
    expect(layerOf(resolve(ROOT, 'core/x.ts', '../../db/orm.ts'))).not.toBe('core');
  });
});
