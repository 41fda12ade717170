/**
 * The Worker of `npm run dev`: the real entry, with ClaudeCodeContainer running on the container runtime
 * stand-in (test/container-runtime.ts) instead of Cloudflare's container runtime, which `wrangler dev` cannot
 * provide without Docker. The stand-in's starts, stops and requests go to the local container runtime that
 * `npm run dev` starts beside wrangler (dev/local-container-host.ts: one bwrap-sandboxed container server per
 * session), at CONTAINER_RUNTIME_URL. Never deployed: wrangler.jsonc's entry is src/index.ts.
 */
import type { DurableObject } from 'cloudflare:workers'
import { ClaudeCodeContainer as RealContainer } from '../src/container-object.js'
import { ContainerRuntimeStandIn, type RuntimeHost, runtimes } from '../test/container-runtime.js'

export { ClaudeCodeAgent, ContainerProxy, default, SessionDirectory } from '../src/index.js'

/** The local container runtime at `base`, addressed the way the stand-in addresses its host. */
export function runtimeAt(base: string): RuntimeHost {
  const origin = new URL(base)
  return {
    fetch(input, init) {
      const request = new Request(input, init)
      const url = new URL(request.url)
      url.protocol = origin.protocol
      url.host = origin.host
      return fetch(new Request(url, request))
    },
  }
}

// Keeps the real class's name: @cloudflare/containers finds outbound handlers by it.
export class ClaudeCodeContainer extends RealContainer {
  constructor(ctx: DurableObject['ctx'], env: Env) {
    const base = env.CONTAINER_RUNTIME_URL
    if (base === undefined || base === '')
      throw new Error('CONTAINER_RUNTIME_URL is not set: start the development Worker with `npm run dev`')
    const id = ctx.id.toString()
    const runtime = runtimes.get(id) ?? new ContainerRuntimeStandIn(runtimeAt(base), id)
    runtimes.set(id, runtime)
    // Where Cloudflare puts the container runtime; `wrangler dev --enable-containers=false` leaves it undefined.
    Object.defineProperty(ctx, 'container', { value: runtime, configurable: true })
    super(ctx, env)
  }
}
