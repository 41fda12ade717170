import { describe, expect, it } from 'vitest'
import { parseRouterConfig } from '../config/parse-config.js'
import { type Deployment, RouteTable } from '../config/route-table.js'
import { dispatchSettings } from '../config/router-settings.js'
import { DeploymentHealth } from './deployment-health.js'
import { pickDeployment } from './pick-deployment.js'

const config = parseRouterConfig(`
model_list:
  - {model_name: m, litellm_params: {model: groq/a, weight: 3}}
  - {model_name: m, litellm_params: {model: groq/b, weight: 1}}
`)
const deployments = new RouteTable(config).resolve('m')?.route.deployments as Deployment[]

function sequence(values: number[]): () => number {
  let i = 0
  return () => values[i++ % values.length] as number
}

describe('pickDeployment', () => {
  it('shuffles by weight', () => {
    const health = new DeploymentHealth(3, 5000)
    const random = sequence([0, 0.2, 0.5, 0.74, 0.76, 0.99])
    const picks = Array.from(
      { length: 6 },
      () => pickDeployment(deployments, 'simple-shuffle', health, new Set(), random)?.params.model,
    )
    expect(picks).toEqual(['groq/a', 'groq/a', 'groq/a', 'groq/a', 'groq/b', 'groq/b'])
  })

  it('prefers untried, then the fastest deployment for latency-based routing', () => {
    const health = new DeploymentHealth(3, 5000)
    health.succeeded('model_list[0]', 80)
    expect(pickDeployment(deployments, 'latency-based-routing', health, new Set())?.id).toBe('model_list[1]')
    health.succeeded('model_list[1]', 200)
    expect(pickDeployment(deployments, 'latency-based-routing', health, new Set())?.id).toBe('model_list[0]')
  })

  it('skips deployments tried for this request and those cooling down', () => {
    let now = 1000
    const health = new DeploymentHealth(0, 5000, () => now)
    expect(pickDeployment(deployments, 'ordered', health, new Set(['model_list[0]']))?.id).toBe(
      'model_list[1]',
    )
    expect(health.failed('model_list[1]', true)).toBe(true)
    expect(pickDeployment(deployments, 'ordered', health, new Set(['model_list[0]']))?.id).toBe(
      'model_list[0]',
    )
    expect(health.failed('model_list[0]', true)).toBe(true)
    expect(pickDeployment(deployments, 'ordered', health, new Set())).toBeUndefined()
    now += 5001
    expect(pickDeployment(deployments, 'ordered', health, new Set())?.id).toBe('model_list[0]')
  })
})

describe('pickDeployment order and limits', () => {
  const ranked = new RouteTable(
    parseRouterConfig(`
model_list:
  - {model_name: m, litellm_params: {model: groq/late}}
  - {model_name: m, litellm_params: {model: groq/first, order: 1}, rpm: 1}
  - {model_name: m, litellm_params: {model: groq/second, order: 2, tpm: 50}}
`),
  ).resolve('m')?.route.deployments as Deployment[]

  it('tries the lowest order first, the next order when it was tried, and entries without order last', () => {
    const health = new DeploymentHealth(3, 5000)
    const pick = (tried: string[]) =>
      pickDeployment(ranked, 'simple-shuffle', health, new Set(tried))?.params.model
    expect(pick([])).toBe('groq/first')
    expect(pick(['model_list[1]'])).toBe('groq/second')
    expect(pick(['model_list[1]', 'model_list[2]'])).toBe('groq/late')
  })

  it('keeps usage-based routing under each deployment’s rpm and tpm for the minute', () => {
    let now = 60_000
    const health = new DeploymentHealth(3, 5000, () => now)
    const pick = () => pickDeployment(ranked, 'usage-based', health, new Set())?.id
    expect(pick()).toBe('model_list[1]')
    health.started('model_list[1]')
    expect(pick()).toBe('model_list[2]')
    health.started('model_list[2]')
    health.usedTokens('model_list[2]', 50)
    expect(pick()).toBe('model_list[0]')
    now += 60_000
    expect(pick()).toBe('model_list[1]')
  })
})

describe('pickDeployment by cost', () => {
  it('picks the cheapest deployment: costs from the config, then the price table, unpriced last', () => {
    const priced = new RouteTable(
      parseRouterConfig(`
model_list:
  - {model_name: m, litellm_params: {model: openai/unlisted-model}}
  - {model_name: m, litellm_params: {model: openai/gpt-4o}}
  - {model_name: m, litellm_params: {model: openai/gpt-4o-mini}}
  - {model_name: m, litellm_params: {model: openai/mine, input_cost_per_token: 0.000001, output_cost_per_token: 0.000002}}
`),
    ).resolve('m')?.route.deployments as Deployment[]
    const health = new DeploymentHealth(3, 5000)
    const pick = (tried: string[]) =>
      pickDeployment(priced, 'cost-based', health, new Set(tried))?.params.model
    expect(pick([])).toBe('openai/gpt-4o-mini')
    expect(pick(['model_list[2]'])).toBe('openai/mine')
    expect(pick(['model_list[2]', 'model_list[3]'])).toBe('openai/gpt-4o')
    expect(pick(['model_list[1]', 'model_list[2]', 'model_list[3]'])).toBe('openai/unlisted-model')
  })
})

describe('dispatchSettings', () => {
  it('takes litellm_settings where router_settings is silent, and router_settings where both speak', () => {
    const s = dispatchSettings(
      parseRouterConfig(`
model_list: [{model_name: m, litellm_params: {model: groq/a}}]
litellm_settings:
  num_retries: 2
  request_timeout: 12
  fallbacks: [{"m": ["from-litellm"]}]
  context_window_fallbacks: [{"m": ["bigger"]}]
  default_model: m
router_settings:
  fallbacks: [{"m": ["from-router"]}]
  stream_timeout: 3
  default_fallbacks: [backup]
`),
    )
    expect(s).toMatchObject({ numRetries: 2, timeoutMs: 12_000, streamTimeoutMs: 3000, defaultModel: 'm' })
    expect(s.fallbacks.get('m')).toEqual(['from-router'])
    expect(s.contextWindowFallbacks.get('m')).toEqual(['bigger'])
    expect(s.defaultFallbacks).toEqual(['backup'])
  })

  it("reads the seed's retry_policy and enable_loadbalancing, and LiteLLM's per-error retries", () => {
    const s = dispatchSettings(
      parseRouterConfig(`
model_list: [{model_name: m, litellm_params: {model: groq/a}}]
router_settings:
  routing_strategy: least-busy
  enable_loadbalancing: true
  retry_policy: {max_retries: 3, timeout: 30, exponential_backoff: true, RateLimitErrorRetries: 5}
  fallbacks: [{"m": ["x"]}, {"m": ["y"]}]
`),
    )
    expect(s).toMatchObject({
      strategy: 'least-busy',
      numRetries: 3,
      timeoutMs: 30_000,
      exponentialBackoff: true,
      retriesByError: { RateLimitErrorRetries: 5 },
      allowedFails: 3,
      cooldownMs: 5000,
    })
    expect(s.fallbacks.get('m')).toEqual(['x', 'y'])
    expect(s.cache.enabled).toBe(false)
  })
})
