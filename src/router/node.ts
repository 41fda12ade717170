/**
 * The router's Node-only entry: serving it alone on `node:http` and a keep-alive `fetch` for upstream calls.
 * Kept apart from `index.ts` so a Web-standard host (Cloudflare) never loads `node:http`.
 */
export { nodeHttpFetch } from './node-http-fetch.js'
export { routerFront, routerRequestListener, serveRouter, writeResponse } from './serve-router.js'
