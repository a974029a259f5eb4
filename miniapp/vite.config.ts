import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';
import { devInitDataPlugin } from './dev/init-data-plugin.ts';

/**
 * The agents' Mini App, served at `/miniapp/`. `npx vite --config miniapp/vite.config.ts` serves it with hot
 * reload outside Telegram (a mocked Telegram environment, see dev/), proxying the API to `npm start` on
 * port 3000.
 */
export default defineConfig({
  root: import.meta.dirname,
  base: '/miniapp/',
  plugins: [react(), devInitDataPlugin({ envDir: `${import.meta.dirname}/..` })],
  build: {
    outDir: `${import.meta.dirname}/../dist/public/miniapp`,
    emptyOutDir: true,
    target: 'es2020',
    reportCompressedSize: false,
  },
  server: { port: 5174, proxy: { '/api': 'http://localhost:3000' } },
});
