import react from '@vitejs/plugin-react';
import { defineConfig, loadEnv } from 'vite';
import { devInitDataPlugin } from './dev/init-data-plugin.ts';

/**
 * The agents' Mini App, served at `/miniapp/`. `npx vite --config miniapp/vite.config.ts` serves it with hot
 * reload outside Telegram (a mocked Telegram environment, see dev/), proxying the API to `npm start` on
 * its PORT (from the environment or the repository's `.env`, as the server reads it; default 3000).
 */
export default defineConfig(({ mode }) => ({
  root: import.meta.dirname,
  base: '/miniapp/',
  plugins: [react(), devInitDataPlugin({ envDir: `${import.meta.dirname}/..` })],
  build: {
    outDir: `${import.meta.dirname}/../dist/public/miniapp`,
    emptyOutDir: true,
    target: 'es2020',
    reportCompressedSize: false,
  },
  server: { port: 5174, proxy: { '/api': `http://localhost:${serverPort(mode)}` } },
}));

function serverPort(mode: string) {
  const env = { ...loadEnv(mode, `${import.meta.dirname}/..`, ''), ...process.env };
  return env.PORT || '3000';
}
