/**
 * The model router on Cloudflare (the seed's separate LiteLLM worker): the same router app the Node host
 * mounts at `/llm`, configured from ROUTER_CONFIG, with provider keys from the Worker's secrets.
 *
 * A session's calls (made with its HMAC token: its container, through `http://router.internal`) are routed
 * by the session's own ClaudeCodeAgent, whose router records usage in the object's SQLite, so usage per
 * session is durable and a turn reports what it cost. People with AUTH_TOKEN reach the Worker's router.
 */
import type { Hono } from 'hono'
import { HmacSessionTokens } from '../../../src/agent/hmac-session-tokens.js'
import { SESSION_ID_PATTERN } from '../../../src/protocol/events.js'
import { createRouterCore, type RouterCore, routerAppFor, type UsageSink } from '../../../src/router/index.js'
import { requestToken } from '../../../src/router/router-auth.js'
import { authorized } from './auth.js'
import { hostConfig, routerSecrets } from './host-config.js'
import { SESSION_HEADER } from './session-header.js'

export interface HostRouter {
  core: RouterCore
  app: Hono
}

const tokensByEnv = new WeakMap<object, HmacSessionTokens>()
const workerRouters = new WeakMap<object, HostRouter>()

/** The session token signer/verifier of this deployment. */
export function sessionTokens(env: Env): HmacSessionTokens {
  let tokens = tokensByEnv.get(env)
  if (tokens === undefined) {
    tokens = new HmacSessionTokens(hostConfig(env).sessionTokenSecret)
    tokensByEnv.set(env, tokens)
  }
  return tokens
}

/** A router with the deployment's configuration, writing usage to `usage` (in memory when not given). */
export function createHostRouter(env: Env, usage?: UsageSink): HostRouter {
  const config = hostConfig(env)
  const tokens = sessionTokens(env)
  const core = createRouterCore({
    config: config.router,
    secrets: routerSecrets(env),
    // Bound: calling the global fetch as a method of another object fails in workerd ("Illegal invocation").
    fetch: (input, init) => fetch(input, init),
    // As on the Node host: a session's token attributes its requests to the session; AUTH_TOKEN admits people.
    authorize: async (token) => {
      const sessionId = await tokens.verify(token)
      if (sessionId !== undefined) return { sessionId }
      return authorized(config.authToken, token)
    },
    ...(usage !== undefined && { usage }),
  })
  return { core, app: routerAppFor(core) }
}

function workerRouter(env: Env): HostRouter {
  let router = workerRouters.get(env)
  if (router === undefined) {
    router = createHostRouter(env)
    workerRouters.set(env, router)
  }
  return router
}

/** The model pickers' choices (`GET /agent/models`), as on the Node host. */
export async function offeredModels(env: Env) {
  const { lister } = workerRouter(env).core
  return {
    defaultModel: hostConfig(env).defaultModel,
    models: await lister.models(),
    routes: lister.routes(),
  }
}

/**
 * Answers a router request whose path is the router's own (`/v1/messages`, `/usage`, …): in the agent of the
 * session whose token it carries (or whose usage it asks for), else in the Worker.
 */
export async function routerFetch(request: Request, env: Env): Promise<Response> {
  const url = new URL(request.url)
  const asked = url.pathname === '/usage' ? (url.searchParams.get('sessionId') ?? undefined) : undefined
  const sessionId = asked ?? (await sessionTokens(env).verify(requestToken(request.headers)))
  if (sessionId === undefined || !SESSION_ID_PATTERN.test(sessionId))
    return workerRouter(env).app.fetch(request)
  const forwarded = new Request(new URL(`/llm${url.pathname}${url.search}`, url), request)
  forwarded.headers.set(SESSION_HEADER, sessionId)
  return env.AGENT.get(env.AGENT.idFromName(sessionId)).fetch(forwarded)
}
