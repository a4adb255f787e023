import { defineConfig } from 'vite';

// The console is served by the Nest app itself (see src/web/console.module.ts); `npm start` builds it.
export default defineConfig({
  root: import.meta.dirname,
  base: '/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // No inline scripts or styles: the pages are served with a strict Content-Security-Policy.
    assetsInlineLimit: 0,
    sourcemap: false,
    rollupOptions: {
      // react-router marks modules "use client" for React Server Components; a browser bundle has no use for it.
      onwarn(warning, warn) {
        if (warning.code !== 'MODULE_LEVEL_DIRECTIVE') warn(warning);
      },
    },
  },
  server: { proxy: { '/v1': 'http://127.0.0.1:3000' } },
});
