import { spawn } from 'node:child_process';
import { enableCompileCache } from 'node:module';
import { join, resolve } from 'node:path';
import { browserBuildState } from './build-state.ts';

// Node keeps the modules it compiled (and the TypeScript it stripped) on disk for the next start: the
// server's imports load about a third faster. In the OS's temporary directory unless NODE_COMPILE_CACHE
// names one; a cache that cannot be written is skipped (the start is only slower).
enableCompileCache();

/**
 * `npm start`: builds the browser apps only when `dist/` is missing or older than their sources (a
 * development convenience; `npm run build` is the build step), then runs `main.ts` in this same process.
 * With a fresh `dist/` nothing of the build is loaded, so a production install without devDependencies
 * (`npm ci --omit=dev`, no Vite) starts too.
 *
 * package.json runs it as `exec node <flags> scripts/start.ts` (the flags: app/node-flags.ts). npm runs a
 * script through `sh -c`, and dash (Debian's and Ubuntu's sh) stays the parent of the command instead of
 * becoming it. npm forwards SIGTERM to its child, which was that shell: the shell died of it without
 * passing it on, npm exited with it, and `node main.ts` ran on, orphaned, never told to stop. With `exec`
 * the shell becomes node, so npm's child is the server itself: it gets SIGTERM, drains, exits, and npm
 * exits with its exit code.
 */
const ROOT = resolve(import.meta.dirname, '..');

const state = browserBuildState(ROOT);
if (state.state !== 'fresh') {
  if (!viteInstalled()) {
    if (state.state === 'missing') {
      process.stderr.write(
        'The browser apps are not built (no dist/build-stamp.json) and Vite is not installed: build them ' +
          'where devDependencies are installed (npm ci && npm run build), then install for production ' +
          'with npm ci --omit=dev.\n',
      );
      process.exit(1);
    }
    process.stderr.write(
      `The browser apps in dist/ are older than ${state.newest}, and Vite is not installed (a production ` +
        'install): serving the build in dist/. Run npm run build where devDependencies are installed.\n',
    );
  } else {
    const code = await buildBrowserApps();
    if (code !== 0) process.exit(code);
  }
}

await import('../main.ts');

function viteInstalled() {
  try {
    import.meta.resolve('vite');
    return true;
  } catch {
    return false;
  }
}

/**
 * `scripts/build.ts --if-stale` in a child process (Vite's memory is not kept by the server), with
 * SIGINT / SIGTERM passed on: a stop requested during the build ends it and exits 0 without starting.
 */
function buildBrowserApps() {
  const child = spawn(process.execPath, [join(ROOT, 'scripts/build.ts'), '--if-stale'], {
    stdio: 'inherit',
  });
  let stopRequested = false;
  const forward = (signal: NodeJS.Signals) => {
    stopRequested = true;
    child.kill(signal);
  };
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  return new Promise<number>((resolve) => {
    child.on('exit', (code) => {
      process.off('SIGINT', forward);
      process.off('SIGTERM', forward);
      if (stopRequested) process.exit(0);
      resolve(code ?? 1);
    });
  });
}
