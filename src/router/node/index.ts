/**
 * The router's Node-only entry: serving its app on Node's HTTP server (TCP or a unix socket), a pooled
 * keep-alive way upstream (undici), and reading the config file.
 * Kept apart from `../index.ts` so a Web-standard host (Cloudflare) never loads `node:*` modules or undici.
 */
export { loadRouterConfig } from './load-config.js'
export { nodeRequestReader } from './node-request-reader.js'
export { nodeUpstream } from './node-upstream.js'
export { closeServer, nodeRouterCore, routerServer, serveRouter } from './serve-router.js'
