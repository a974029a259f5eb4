import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { ScenarioResult } from '../lib/report.ts';
import { ROOT } from '../lib/server.ts';

const kb = (bytes: number) => `${Math.round(bytes / 102.4) / 10} KB`;

/**
 * The built widget's weight (what `npm run build` wrote to dist/public): the loader every page embeds
 * (widget.js) and the app it loads on demand (widget/assets/*.js), gzipped (-9) as served.
 */
export async function widgetWeight(): Promise<ScenarioResult> {
  const loader = join(ROOT, 'dist/public/widget.js');
  const assets = join(ROOT, 'dist/public/widget/assets');
  const files = (directory: string, extension: string) =>
    existsSync(directory)
      ? readdirSync(directory)
          .filter((name) => name.endsWith(extension))
          .map((name) => join(directory, name))
      : [];
  const weigh = (paths: string[]) =>
    paths.reduce(
      (total, path) => {
        const bytes = readFileSync(path);
        return { raw: total.raw + bytes.length, gzip: total.gzip + gzipSync(bytes, { level: 9 }).length };
      },
      { raw: 0, gzip: 0 },
    );
  const row = (what: string, paths: string[]) => {
    if (paths.length === 0)
      return {
        scenario: 'widget weight',
        metric: what,
        value: 'not built',
        baseline: '—',
        comparison: 'run npm run build',
      };
    const weight = weigh(paths);
    return {
      scenario: 'widget weight',
      metric: what,
      value: `${kb(weight.gzip)} gzip`,
      baseline: `${kb(weight.raw)} raw`,
      comparison: `${paths.length} file${paths.length === 1 ? '' : 's'}`,
    };
  };
  const loaderFiles = existsSync(loader) ? [loader] : [];
  const appFiles = files(assets, '.js');
  const cssFiles = files(assets, '.css');
  return {
    scenario: 'widget-weight',
    database: 'any',
    rows: [
      row('loader (widget.js)', loaderFiles),
      row('app (assets/*.js)', appFiles),
      ...(cssFiles.length ? [row('app styles (assets/*.css)', cssFiles)] : []),
    ],
    data: {
      loader: loaderFiles.length ? weigh(loaderFiles) : null,
      app: appFiles.length ? weigh(appFiles) : null,
      css: cssFiles.length ? weigh(cssFiles) : null,
    },
  };
}
