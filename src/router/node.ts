/**
 * The router's Node-only entry: serving it on sockets (its HTTP/1.1 front, Node's server for the rest) and a
 * keep-alive `fetch` for upstream calls.
 * Kept apart from `index.ts` so a Web-standard host (Cloudflare) never loads `node:net` or `node:http`.
 */
export { nodeHttpFetch } from './node-http-fetch.js'
export { routerFront, routerRequestListener, serveRouter, writeResponse } from './serve-router.js'
