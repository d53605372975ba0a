import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// Served by Carillon at /dashboard/ (src/http/routes/dashboard.ts): hashed names under
// assets/ are cached for a year, the index is revalidated. Nothing is inlined into the
// index (its CSP has no 'unsafe-inline'), and no asset comes from another origin.
export default defineConfig({
  base: '/dashboard/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    assetsDir: 'assets',
    emptyOutDir: true,
    // Icons and fonts as files, never data: URIs in CSS or scripts.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    target: 'es2022',
    sourcemap: false,
  },
});
