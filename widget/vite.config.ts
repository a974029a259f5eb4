import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/** The chat app, served at `/widget/` and shown in the loader's iframe. `npx vite --config widget/vite.config.ts` serves it with hot reload, proxying the API to `npm start` on port 3000. */
export default defineConfig({
  root: `${import.meta.dirname}/app`,
  base: '/widget/',
  plugins: [react()],
  build: {
    outDir: `${import.meta.dirname}/../dist/public/widget`,
    emptyOutDir: true,
    target: 'es2020',
    reportCompressedSize: false,
  },
  server: { proxy: { '/api': 'http://localhost:3000' } },
});
