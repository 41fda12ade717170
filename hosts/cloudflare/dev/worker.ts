/**
 * The Worker of `npm run dev`: the real entry, with ClaudeCodeContainer running on the container runtime
 * stand-in (test/container-runtime.ts) instead of Cloudflare's container runtime, which `wrangler dev` cannot
 * provide without Docker. The stand-in's starts, stops and requests go to the local container runtime that
 * `npm run dev` starts beside wrangler (dev/local-container-host.ts: one bwrap-sandboxed container server per
 * session), at CONTAINER_RUNTIME_URL; the sandboxes' outbound HTTP comes back through OUTBOUND_PATH to the
 * container object's outbound handlers. Never deployed: wrangler.jsonc's entry is src/index.ts.
 */
import type { DurableObject } from 'cloudflare:workers'
import { requestToken } from '../../../src/router/router-auth.js'
import {
  type BootResult,
  ClaudeCodeContainer as RealContainer,
  ROUTER_HOST,
} from '../src/container-object.js'
import worker from '../src/index.js'
import { sessionTokens } from '../src/router.js'
import { ContainerRuntimeStandIn, type RuntimeHost, runtimes } from '../test/container-runtime.js'
import { CONTAINER_ID_HEADER } from '../test/stand-in-protocol.js'
import { ALIVE_PATH, OUTBOUND_HEADER, OUTBOUND_PATH, RUNTIME_TOKEN_HEADER } from './runtime-protocol.js'

export { ClaudeCodeAgent, ContainerProxy, SessionDirectory } from '../src/index.js'

/** The local container runtime at `base`, addressed the way the stand-in addresses its host. */
function runtimeAt(base: string, token: string): RuntimeHost {
  const origin = new URL(base)
  return {
    fetch(input, init) {
      const request = new Request(input, init)
      const url = new URL(request.url)
      url.protocol = origin.protocol
      url.host = origin.host
      const forwarded = new Request(url, request)
      forwarded.headers.set(RUNTIME_TOKEN_HEADER, token)
      return fetch(forwarded)
    },
  }
}

// Keeps the real class's name: @cloudflare/containers finds outbound handlers by it.
export class ClaudeCodeContainer extends RealContainer {
  constructor(ctx: DurableObject['ctx'], env: Env) {
    const base = env.CONTAINER_RUNTIME_URL
    const token = env.CONTAINER_RUNTIME_TOKEN
    if (base === undefined || base === '' || token === undefined || token === '')
      throw new Error(
        'CONTAINER_RUNTIME_URL and CONTAINER_RUNTIME_TOKEN are not set: start the development Worker with `npm run dev`',
      )
    const id = ctx.id.toString()
    const host = runtimeAt(base, token)
    const runtime = runtimes.get(id) ?? new ContainerRuntimeStandIn(host, id)
    runtimes.set(id, runtime)
    // Where Cloudflare puts the container runtime; `wrangler dev --enable-containers=false` leaves it undefined.
    Object.defineProperty(ctx, 'container', { value: runtime, configurable: true })
    super(ctx, env)
    this.runtime = runtime
    this.host = host
  }

  private readonly runtime: ContainerRuntimeStandIn
  private readonly host: RuntimeHost

  /**
   * Cloudflare's runtime reports a container's end (a crash, a limit) at once; the stand-in would learn it only
   * when a call to the container fails. So before a turn relies on a running container, ask the local runtime.
   */
  override async boot(envVars: Record<string, string>, instanceGetTimeoutMS?: number): Promise<BootResult> {
    if (this.runtime.running) {
      const res = await this.host.fetch(`http://host/__control/${ALIVE_PATH}`, {
        method: 'POST',
        headers: { [CONTAINER_ID_HEADER]: this.ctx.id.toString() },
      })
      if (res.status === 404) this.runtime.ended()
    }
    return super.boot(envVars, instanceGetTimeoutMS)
  }

  /** The container's outbound HTTP goes to the handler the class registered for its host, as on Cloudflare. */
  override async fetch(request: Request): Promise<Response> {
    if (!request.headers.has(OUTBOUND_HEADER)) return super.fetch(request)
    const runtime = runtimes.get(this.ctx.id.toString())
    const handler = runtime?.intercepted.get(new URL(request.url).hostname) ?? runtime?.intercepted.get('*')
    // What Cloudflare answers a container without internet that calls a host nobody intercepts.
    if (handler === undefined) return new Response('Origin is disallowed', { status: 520 })
    const outbound = new Request(request)
    outbound.headers.delete(OUTBOUND_HEADER)
    return handler.fetch(outbound)
  }
}

/** A sandbox's call to `http://router.internal`, to the container object of the session whose token it has. */
async function containerOutbound(request: Request, env: Env): Promise<Response> {
  const sessionId = await sessionTokens(env).verify(requestToken(request.headers))
  if (sessionId === undefined)
    return Response.json(
      {
        type: 'error',
        error: { type: 'authentication_error', message: 'no valid session token on a container call' },
      },
      { status: 401 },
    )
  const url = new URL(request.url)
  const target = new URL(`http://${ROUTER_HOST}${url.pathname.slice(OUTBOUND_PATH.length)}${url.search}`)
  const forwarded = new Request(target, request)
  forwarded.headers.set(OUTBOUND_HEADER, '1')
  return env.CONTAINER.get(env.CONTAINER.idFromName(sessionId)).fetch(forwarded)
}

export default {
  fetch(request: Request, env: Env, ctx: ExecutionContext): Response | Promise<Response> {
    const { pathname } = new URL(request.url)
    if (pathname === OUTBOUND_PATH || pathname.startsWith(`${OUTBOUND_PATH}/`))
      return containerOutbound(request, env)
    return worker.fetch(request, env, ctx)
  },
}
