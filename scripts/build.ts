import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'vite';

/**
 * `npm run build`: the browser apps into `dist/public` (served by the server), then their gzipped sizes,
 * checked against the budgets. Sizes are also written to `dist/sizes.json` for the benchmarks.
 */
const ROOT = resolve(import.meta.dirname, '..');
const PUBLIC = join(ROOT, 'dist/public');

const apps = [
  { config: 'widget/vite.config.ts' },
  { config: 'widget/loader.vite.config.ts' },
  { config: 'miniapp/vite.config.ts' },
];

const budgets = [
  { name: 'widget loader (widget.js)', files: ['widget.js'], budgetKb: 5 },
  { name: 'widget chat app', files: jsUnder('widget/assets'), budgetKb: 60 },
  { name: 'Mini App (agents)', files: jsUnder('miniapp/assets'), budgetKb: 100 },
];

rmSync(PUBLIC, { recursive: true, force: true });
mkdirSync(PUBLIC, { recursive: true });
for (const app of apps)
  await build({ configFile: join(ROOT, app.config), logLevel: 'warn', mode: 'production' });
cpSync(join(ROOT, 'widget/demo'), PUBLIC, { recursive: true });

const sizes = budgets.map(({ name, files, budgetKb }) => {
  const list = typeof files === 'function' ? files() : files;
  const gzipBytes = list.reduce(
    (sum, file) => sum + gzipSync(readFileSync(join(PUBLIC, file)), { level: 9 }).length,
    0,
  );
  return { name, files: list, gzipBytes, budgetBytes: budgetKb * 1024 };
});
writeFileSync(join(ROOT, 'dist/sizes.json'), `${JSON.stringify(sizes, null, 2)}\n`);

console.log('\nBrowser apps (JavaScript, gzip -9):');
for (const size of sizes) {
  const status = size.gzipBytes <= size.budgetBytes ? 'ok' : 'OVER BUDGET';
  console.log(
    `  ${size.name.padEnd(28)} ${(size.gzipBytes / 1024).toFixed(1).padStart(6)} KB  (budget ${size.budgetBytes / 1024} KB) ${status}`,
  );
}
if (sizes.some((size) => size.gzipBytes > size.budgetBytes)) {
  console.error('A browser app is over its size budget.');
  process.exit(1);
}

function jsUnder(dir: string) {
  return () =>
    readdirSync(join(PUBLIC, dir))
      .filter((name) => name.endsWith('.js'))
      .map((name) => `${dir}/${name}`);
}
