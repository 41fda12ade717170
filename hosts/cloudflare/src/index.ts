/** The Worker's entry: the Hono app, and the Durable Object classes wrangler.jsonc binds. */
import { createWorkerApp } from './worker.js'

// Answers the containers' outbound HTTP (http://router.internal): @cloudflare/containers needs it exported.
export { ContainerProxy } from '@cloudflare/containers'
export { ClaudeCodeAgent } from './agent-object.js'
export { ClaudeCodeContainer } from './container-object.js'
export { SessionDirectory } from './directory-object.js'

export default createWorkerApp()
