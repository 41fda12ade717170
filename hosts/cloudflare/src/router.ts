/**
 * The model router inside the Worker (the seed's separate LiteLLM worker): the same router app the Node host
 * mounts at `/llm`, configured from ROUTER_CONFIG, with provider keys from the Worker's secrets. A container
 * reaches it at `http://router.internal` with its session's HMAC token; people with AUTH_TOKEN.
 */
import type { Hono } from 'hono'
import { HmacSessionTokens } from '../../../src/agent/hmac-session-tokens.js'
import { createRouterCore, type RouterCore, routerAppFor } from '../../../src/router/index.js'
import { authorized } from './auth.js'
import { hostConfig, routerSecrets } from './host-config.js'

interface RouterInstance {
  core: RouterCore
  app: Hono
  tokens: HmacSessionTokens
}

const routers = new WeakMap<object, RouterInstance>()

/** The session token signer/verifier of this deployment. */
export function sessionTokens(env: Env): HmacSessionTokens {
  return routerFor(env).tokens
}

function routerFor(env: Env): RouterInstance {
  let instance = routers.get(env)
  if (instance !== undefined) return instance
  const config = hostConfig(env)
  const secrets = routerSecrets(env)
  const tokens = new HmacSessionTokens(config.sessionTokenSecret)
  const core = createRouterCore({
    config: config.router,
    secrets,
    // Bound: calling the global fetch as a method of another object fails in workerd ("Illegal invocation").
    fetch: (input, init) => fetch(input, init),
    // As on the Node host: a container's token attributes its requests to its session; AUTH_TOKEN admits people.
    authorize: async (token) => {
      const sessionId = await tokens.verify(token)
      if (sessionId !== undefined) return { sessionId }
      return authorized(config.authToken, token)
    },
  })
  instance = { core, app: routerAppFor(core), tokens }
  routers.set(env, instance)
  return instance
}

/** The model pickers' choices (`GET /agent/models`), as on the Node host. */
export async function offeredModels(env: Env) {
  const { lister } = routerFor(env).core
  return {
    defaultModel: hostConfig(env).defaultModel,
    models: await lister.models(),
    routes: lister.routes(),
  }
}

/** Answers a router request whose path is the router's own (`/v1/messages`, `/health`, …). */
export function routerFetch(request: Request, env: Env): Promise<Response> {
  return Promise.resolve(routerFor(env).app.fetch(request))
}
