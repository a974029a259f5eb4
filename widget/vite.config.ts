import react from '@vitejs/plugin-react';
import { defineConfig, loadEnv } from 'vite';

/**
 * The chat app, served at `/widget/` and shown in the loader's iframe. `npx vite --config widget/vite.config.ts`
 * serves it with hot reload, proxying the API to `npm start` on its PORT (from the environment or the
 * repository's `.env`, as the server reads it; default 3000).
 */
export default defineConfig(({ mode }) => ({
  root: `${import.meta.dirname}/app`,
  base: '/widget/',
  plugins: [react()],
  // Written against React's API, built on Preact (README: "Preact under the React API"): the chat's
  // budget is 60 KB gzipped and react-dom alone is 45 KB of it.
  resolve: {
    alias: {
      'react-dom/client': 'preact/compat/client',
      'react-dom': 'preact/compat',
      'react/jsx-runtime': 'preact/jsx-runtime',
      'react/jsx-dev-runtime': 'preact/jsx-dev-runtime',
      react: 'preact/compat',
    },
  },
  build: {
    outDir: `${import.meta.dirname}/../dist/public/widget`,
    emptyOutDir: true,
    target: 'es2020',
    reportCompressedSize: false,
  },
  server: { proxy: { '/api': `http://localhost:${serverPort(mode)}` } },
}));

function serverPort(mode: string) {
  const env = { ...loadEnv(mode, `${import.meta.dirname}/..`, ''), ...process.env };
  return env.PORT || '3000';
}
