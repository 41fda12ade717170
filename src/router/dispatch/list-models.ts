/**
 * What the router can answer, for model pickers and `GET /v1/models`: every route whose provider is configured
 * (a key, or an address for a local server), with real model ids for wildcard routes, listed from the
 * provider's own `GET /models` (Anthropic: `GET /v1/models`), cached, and the catalog's default model when the
 * provider cannot be asked. Routes whose provider lacks a key are not offered.
 */
import { z } from 'zod'
import type { Env } from '../config/env.js'
import { type ProviderName, providerVariables, splitProviderModel } from '../config/provider-names.js'
import type { Route, RouteTable } from '../config/route-table.js'
import { readText, type Upstream } from '../providers/upstream.js'
import type { RouterLogger } from '../usage/router-logger.js'
import { resolveDeployment } from './resolve-deployment.js'

/** A configured route as a picker shows it: a wildcard route also takes a model name typed in. */
export interface OfferedRoute {
  pattern: string
  provider: ProviderName
  wildcard: boolean
}

export interface OfferedModel {
  id: string
  provider: ProviderName
  /** The route that serves it. */
  route: string
}

export interface ModelListerOptions {
  table: RouteTable
  secrets: Env
  upstream: Upstream
  logger: RouterLogger
  /** How long a provider's list is kept; default 10 minutes. */
  ttlMs?: number
  /** How long a provider may take to list its models; default 5 s. */
  timeoutMs?: number
}

const ModelsPage = z.object({ data: z.array(z.object({ id: z.string().min(1) }).loose()) }).loose()

/** `https://host/v1` -> `https://host/v1/models`; Anthropic's base has no `/v1`. */
function modelsUrl(provider: ProviderName, base: string): string {
  const trimmed = base.replace(/\/+$/, '').replace(/\/(chat\/completions|messages)$/, '')
  if (provider !== 'anthropic') return `${trimmed}/models`
  return `${trimmed.endsWith('/v1') ? trimmed : `${trimmed}/v1`}/models?limit=1000`
}

/** The catalog's default model of `provider` without its prefix (`openai/gpt-oss-120b` for groq). */
function catalogDefault(provider: ProviderName): string | undefined {
  const { defaultModel } = providerVariables(provider)
  return defaultModel === undefined ? undefined : splitProviderModel(defaultModel).model
}

export class ModelLister {
  private readonly cache = new Map<string, { at: number; ids: Promise<string[]> }>()
  private readonly ttlMs: number
  private readonly timeoutMs: number

  constructor(private readonly options: ModelListerOptions) {
    this.ttlMs = options.ttlMs ?? 10 * 60_000
    this.timeoutMs = options.timeoutMs ?? 5_000
  }

  /** Configured routes whose provider can be called (key and address resolve), in config order. */
  routes(): OfferedRoute[] {
    const out: OfferedRoute[] = []
    for (const route of this.options.table.routes()) {
      const resolved = this.resolve(route)
      if (resolved)
        out.push({ pattern: route.pattern, provider: resolved.provider.name, wildcard: isWildcard(route) })
    }
    return out
  }

  /** Every offered model: exact routes as they are, wildcard routes with the provider's listed models. */
  async models(): Promise<OfferedModel[]> {
    const lists = await Promise.all(this.routes().map((r) => this.modelsOf(r)))
    const seen = new Set<string>()
    return lists.flat().filter((m) => !seen.has(m.id) && seen.add(m.id))
  }

  /**
   * The model a session starts on when none is configured: the first offered route's catalog default, else
   * its first listed model; undefined when no provider is configured.
   */
  async defaultModel(): Promise<string | undefined> {
    const first = this.routes()[0]
    if (!first) return undefined
    const models = await this.modelsOf(first)
    const preferred = catalogDefault(first.provider)
    const own = models.find((m) => splitProviderModel(m.id).model === preferred)
    return (own ?? models[0])?.id ?? (first.wildcard ? undefined : first.pattern)
  }

  /** The models of one offered route. */
  async modelsOf(offered: OfferedRoute): Promise<OfferedModel[]> {
    const base = { provider: offered.provider, route: offered.pattern }
    if (!offered.wildcard) return [{ id: offered.pattern, ...base }]
    const route = this.options.table.routes().find((r) => r.pattern === offered.pattern)
    const deployment = route?.deployments[0]
    const resolved = route && this.resolve(route)
    // Only `prefix*` -> `provider/*` routes map a listed upstream id back to a name the client can send.
    if (!deployment || !resolved || deployment.params.model !== `${offered.provider}/*`) return []
    if (offered.pattern.indexOf('*') !== offered.pattern.length - 1) return []
    let ids = await this.listed(offered.provider, resolved.apiBase, resolved.apiKey)
    const preferred = catalogDefault(offered.provider)
    if (ids.length === 0 && preferred !== undefined) ids = [preferred]
    if (preferred !== undefined && ids.includes(preferred))
      ids = [preferred, ...ids.filter((id) => id !== preferred)]
    const prefix = offered.pattern.slice(0, -1)
    return ids.map((id) => ({ id: `${prefix}${id}`, ...base }))
  }

  private resolve(route: Route) {
    const deployment = route.deployments[0]
    if (!deployment) return undefined
    let resolved: ReturnType<typeof resolveDeployment>
    try {
      const match = { requestedModel: route.pattern, route, wildcard: '' }
      resolved = resolveDeployment(this.options.secrets, match, deployment)
    } catch {
      return undefined
    }
    // A keyless local server counts as configured only when something names its address.
    const { baseVariable } = providerVariables(resolved.provider.name)
    const placed =
      deployment.params.api_base !== undefined || (this.options.secrets[baseVariable] ?? '') !== ''
    return resolved.apiKey !== undefined || placed ? resolved : undefined
  }

  /** The provider's model ids, cached; empty when it cannot be asked (logged once per cache period). */
  private listed(provider: ProviderName, apiBase: string, apiKey: string | undefined): Promise<string[]> {
    const key = `${provider} ${apiBase}`
    const hit = this.cache.get(key)
    if (hit && Date.now() - hit.at < this.ttlMs) return hit.ids
    const ids = this.ask(key, provider, apiBase, apiKey)
    this.cache.set(key, { at: Date.now(), ids })
    return ids
  }

  private async ask(
    key: string,
    provider: ProviderName,
    apiBase: string,
    apiKey: string | undefined,
  ): Promise<string[]> {
    const headers: Record<string, string> = { accept: 'application/json' }
    if (provider === 'anthropic') {
      headers['anthropic-version'] = '2023-06-01'
      if (apiKey) headers['x-api-key'] = apiKey
    } else if (apiKey) headers.authorization = `Bearer ${apiKey}`
    try {
      const response = await this.options.upstream(modelsUrl(provider, apiBase), {
        method: 'GET',
        headers,
        signal: AbortSignal.timeout(this.timeoutMs),
      })
      if (response.status < 200 || response.status > 299) {
        await response.body.cancel()
        throw new Error(`HTTP ${response.status}`)
      }
      const page = ModelsPage.safeParse(JSON.parse(await readText(response.body)))
      if (!page.success) throw new Error('the answer has no data[].id')
      return page.data.data.map((m) => m.id)
    } catch (err) {
      this.options.logger.warn(
        { provider, error: err instanceof Error ? err.message : String(err) },
        'could not list the provider’s models; offering its default model',
      )
      // A server started after the router (a local Ollama) is asked again within a minute.
      const retryIn = Math.min(60_000, this.ttlMs)
      this.cache.set(key, { at: Date.now() - this.ttlMs + retryIn, ids: Promise.resolve([]) })
      return []
    }
  }
}

function isWildcard(route: Route): boolean {
  return route.pattern.includes('*')
}
