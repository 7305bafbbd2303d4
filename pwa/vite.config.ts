import { defineConfig } from 'vitest/config';

export default defineConfig({
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: { outDir: 'dist', emptyOutDir: true },
  // `npm run dev` serves the source with hot reload; the API stays on `make dev`'s server.
  server: { proxy: { '/api': 'http://127.0.0.1:8000' } },
  test: { include: ['test/**/*.test.ts'], environment: 'node' },
});
