/** Builds the browser UI (Preact) into dist/ui, which `agent-router start` serves at `/`. */
import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vite'

const root = fileURLToPath(new URL('.', import.meta.url))

export default defineConfig({
  root,
  base: '/',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  resolve: { alias: { react: 'preact/compat', 'react-dom': 'preact/compat' } },
  build: {
    outDir: fileURLToPath(new URL('../../dist/ui', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    reportCompressedSize: true,
  },
  server: {
    proxy: {
      '/agent': 'http://127.0.0.1:8787',
      '/llm': 'http://127.0.0.1:8787',
      '/demo': { target: 'ws://127.0.0.1:8787', ws: true },
    },
  },
})
