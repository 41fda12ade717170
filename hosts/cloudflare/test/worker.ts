/**
 * The Worker under test: the real entry, with ClaudeCodeContainer running on the container runtime stand-in
 * (test/container-runtime.ts) instead of Cloudflare's, which workerd cannot provide here.
 */
import type { DurableObject } from 'cloudflare:workers'
import { ClaudeCodeContainer as RealContainer } from '../src/container-object.js'
import { ContainerRuntimeStandIn, runtimes } from './container-runtime.js'

export { ClaudeCodeAgent, ContainerProxy, default, SessionDirectory } from '../src/index.js'

// Keeps the real class's name: @cloudflare/containers finds outbound handlers by it.
export class ClaudeCodeContainer extends RealContainer {
  constructor(ctx: DurableObject['ctx'], env: Env) {
    const id = ctx.id.toString()
    const runtime = runtimes.get(id) ?? new ContainerRuntimeStandIn(env.CONTAINER_HOST, id)
    runtimes.set(id, runtime)
    // Where Cloudflare puts the container runtime; workerd without containers leaves it undefined.
    Object.defineProperty(ctx, 'container', { value: runtime, configurable: true })
    super(ctx, env)
  }
}
