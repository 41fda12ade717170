/**
 * Model name -> deployments. Exact `model_name`s win; otherwise the wildcard pattern with the longest literal
 * prefix. Each route holds every deployment listed under its `model_name`, so balancing and fallbacks can pick
 * among them; today the first deployment serves.
 */
import type { LitellmParams, ModelInfo, RouterConfig, ServedEntry } from './config-schema.js'
import type { ProviderName } from './provider-names.js'

export interface Deployment {
  /** `model_list[3]`, for logs and error messages. */
  id: string
  modelName: string
  provider: ProviderName
  /** The upstream model with the config's `*` kept. */
  upstreamModel: string
  params: LitellmParams
  modelInfo: ModelInfo | undefined
  /** Remove the parameters the provider rejects (`drop_params` of the entry, else of `litellm_settings`). */
  dropParams: boolean
  /** LiteLLM's limits, from the entry, its `litellm_params` or its `model_info`. */
  rpm: number | undefined
  tpm: number | undefined
}

export interface Route {
  pattern: string
  deployments: Deployment[]
}

export interface RouteMatch {
  /** The model name the client asked for (echoed back to it). */
  requestedModel: string
  route: Route
  /** What the pattern's `*` matched (empty for an exact route). */
  wildcard: string
}

export interface Target {
  provider: ProviderName
  /** The model name the provider knows (`openai/gpt-oss-120b` for `groq/openai/gpt-oss-120b`). */
  upstreamModel: string
  deployment: Deployment
  /** Azure's `api-version`, resolved. */
  apiVersion?: string
  /** The entry's extra headers (`litellm_params.headers`), resolved. */
  headers?: Record<string, string>
}

interface WildcardRoute {
  route: Route
  regex: RegExp
  literalPrefix: number
}

function escapeRegex(text: string): string {
  return text.replace(/[.+?^${}()|[\]\\]/g, '\\$&')
}

/** `model_info` with the prices `litellm_params` gives (LiteLLM reads them from either; `model_info` wins). */
function withParamCosts(entry: ServedEntry): ModelInfo | undefined {
  const { input_cost_per_token, output_cost_per_token } = entry.litellm_params
  if (input_cost_per_token === undefined && output_cost_per_token === undefined) return entry.model_info
  return { input_cost_per_token, output_cost_per_token, ...entry.model_info }
}

export class RouteTable {
  private readonly exact = new Map<string, Route>()
  private readonly wildcards: WildcardRoute[] = []
  private readonly aliases: Record<string, string>
  private readonly wildcardAliases: { regex: RegExp; target: string }[] = []
  private readonly ordered: Route[] = []

  constructor(config: RouterConfig) {
    this.aliases = config.router_settings.model_group_alias ?? {}
    for (const [from, target] of Object.entries(this.aliases)) {
      if (!from.includes('*')) continue
      const source = from.split('*').map(escapeRegex).join('(.*)')
      this.wildcardAliases.push({ regex: new RegExp(`^${source}$`, 's'), target })
    }
    const byName = new Map<string, Route>()
    for (const entry of config.model_list) {
      let route = byName.get(entry.model_name)
      if (!route) {
        route = { pattern: entry.model_name, deployments: [] }
        byName.set(entry.model_name, route)
        this.ordered.push(route)
      }
      route.deployments.push({
        id: entry.id,
        modelName: entry.model_name,
        provider: entry.provider,
        upstreamModel: entry.upstreamModel,
        params: entry.litellm_params,
        modelInfo: withParamCosts(entry),
        dropParams: entry.litellm_params.drop_params ?? config.litellm_settings.drop_params ?? false,
        rpm: entry.rpm ?? entry.litellm_params.rpm ?? entry.model_info?.rpm,
        tpm: entry.tpm ?? entry.litellm_params.tpm ?? entry.model_info?.tpm,
      })
    }
    for (const route of this.ordered) {
      if (!route.pattern.includes('*')) {
        this.exact.set(route.pattern, route)
        continue
      }
      const source = route.pattern.split('*').map(escapeRegex).join('(.*)')
      this.wildcards.push({
        route,
        regex: new RegExp(`^${source}$`, 's'),
        literalPrefix: route.pattern.indexOf('*'),
      })
    }
    // Most specific first: longest literal prefix, then longest pattern; config order breaks ties (stable sort).
    this.wildcards.sort(
      (a, b) => b.literalPrefix - a.literalPrefix || b.route.pattern.length - a.route.pattern.length,
    )
  }

  /** Configured routes in config order. */
  routes(): readonly Route[] {
    return this.ordered
  }

  /** Configured `model_name`s in config order. */
  patterns(): string[] {
    return this.ordered.map((r) => r.pattern)
  }

  /** `model_group_alias`: an exact key, else a wildcard key (`claude-*`) whose `*` fills the target's `*`. */
  private alias(requestedModel: string): string {
    const exact = this.aliases[requestedModel]
    if (exact !== undefined) return exact
    for (const a of this.wildcardAliases) {
      const m = a.regex.exec(requestedModel)
      if (m) return a.target.split('*').join(m[1] ?? '')
    }
    return requestedModel
  }

  resolve(requestedModel: string): RouteMatch | undefined {
    const name = this.alias(requestedModel)
    const exact = this.exact.get(name)
    if (exact) return { requestedModel, route: exact, wildcard: '' }
    for (const w of this.wildcards) {
      const m = w.regex.exec(name)
      if (m) return { requestedModel, route: w.route, wildcard: m[1] ?? '' }
    }
    return undefined
  }
}

/** The provider and upstream model for one deployment of a match (`groq/*` with `*` = the matched part). */
export function targetOf(match: RouteMatch, deployment: Deployment): Target {
  const upstreamModel = deployment.upstreamModel.split('*').join(match.wildcard)
  return { provider: deployment.provider, upstreamModel, deployment }
}
