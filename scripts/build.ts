import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { BUILD_STAMP, browserBuildState } from './build-state.ts';

/**
 * `npm run build`: the browser apps into `dist/public` (served by the server), then their gzipped sizes,
 * checked against the budgets. Sizes are also written to `dist/sizes.json` for the benchmarks, and a
 * complete build leaves `dist/build-stamp.json` (see build-state.ts).
 *
 * `--if-stale` (`npm test`, `npm start`): builds only when dist/ is missing or older than the sources.
 *
 * Always a production build, whatever NODE_ENV says: Vite bundles `process.env.NODE_ENV` as it finds it
 * (`NODE_ENV || mode`, so `mode: 'production'` alone does not win), and NODE_ENV=development would bundle
 * React's development build, several times larger and over the budgets. Vite is imported only after
 * NODE_ENV is set, and only when there is something to build.
 */
const ROOT = resolve(import.meta.dirname, '..');
const PUBLIC = join(ROOT, 'dist/public');

if (process.argv.includes('--if-stale')) {
  const state = browserBuildState(ROOT);
  if (state.state === 'fresh') process.exit(0);
  console.log(
    state.state === 'missing'
      ? 'Building the browser apps (no build in dist/ yet)'
      : `Building the browser apps (${state.newest} is newer than the build in dist/)`,
  );
}

process.env.NODE_ENV = 'production';
const { build } = await import('vite');

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

// The stamp carries the time the build began: a source saved while it ran makes the build stale.
const startedAt = new Date();
rmSync(join(ROOT, BUILD_STAMP), { force: true });
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
writeFileSync(join(ROOT, BUILD_STAMP), `${JSON.stringify({ started_at: startedAt.toISOString() })}\n`);
utimesSync(join(ROOT, BUILD_STAMP), startedAt, startedAt);

function jsUnder(dir: string) {
  return () =>
    readdirSync(join(PUBLIC, dir))
      .filter((name) => name.endsWith('.js'))
      .map((name) => `${dir}/${name}`);
}
