import { defineConfig } from 'vite';

/** The embed script `/widget.js`: one small IIFE with no dependencies. */
export default defineConfig({
  build: {
    outDir: `${import.meta.dirname}/../dist/public`,
    emptyOutDir: false,
    target: 'es2019',
    reportCompressedSize: false,
    lib: {
      entry: `${import.meta.dirname}/loader/widget.ts`,
      formats: ['iife'],
      name: 'SwitchboardWidget',
      fileName: () => 'widget.js',
    },
  },
});
