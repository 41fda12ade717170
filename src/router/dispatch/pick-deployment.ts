/**
 * Chooses one deployment of a route (`routing_strategy`): `simple-shuffle` picks at random weighted by
 * `weight` (or `rpm`/`tpm`), `least-busy` the one with the fewest requests in flight, `latency-based-routing`
 * the fastest first byte so far (untried ones first), `usage-based` the one that used the fewest tokens this
 * minute among those under their `rpm`/`tpm` (none when all are at their limit), `cost-based` the cheapest per
 * token (`model_info` costs or the price table; unpriced ones last, shuffled among equals), `ordered`
 * (`enable_loadbalancing: false`) the first. Deployments cooling down and those already tried for this request
 * are skipped while others remain, and only those of the lowest `order` are considered (LiteLLM's priority;
 * entries without `order` come after those with one).
 */

import type { Deployment } from '../config/route-table.js'
import type { Strategy } from '../config/router-settings.js'
import { costUsd } from '../usage/price-table.js'
import type { DeploymentHealth } from './deployment-health.js'

function weightOf(d: Deployment): number {
  return d.params.weight ?? d.rpm ?? d.tpm ?? 1
}

/** USD for a million input and a million output tokens; undefined when the deployment has no known price. */
function pricePerToken(d: Deployment): number | undefined {
  const million = { inputTokens: 1e6, outputTokens: 1e6, cacheReadTokens: 0 }
  return costUsd(d.provider, d.upstreamModel, d.modelInfo, million) ?? undefined
}

function shuffle(candidates: readonly Deployment[], random: () => number): Deployment | undefined {
  if (candidates.length <= 1) return candidates[0]
  const total = candidates.reduce((sum, d) => sum + weightOf(d), 0)
  let r = random() * total
  for (const d of candidates) {
    r -= weightOf(d)
    if (r < 0) return d
  }
  return candidates.at(-1)
}

function lowest(candidates: readonly Deployment[], score: (d: Deployment) => number): Deployment | undefined {
  let best: Deployment | undefined
  let bestScore = Number.POSITIVE_INFINITY
  for (const d of candidates) {
    const s = score(d)
    if (s < bestScore) {
      best = d
      bestScore = s
    }
  }
  return best
}

export function pickDeployment(
  deployments: readonly Deployment[],
  strategy: Strategy,
  health: DeploymentHealth,
  tried: ReadonlySet<string>,
  random: () => number = Math.random,
): Deployment | undefined {
  const available = deployments.filter((d) => !health.isCooling(d.id))
  if (available.length === 0) return undefined
  const fresh = available.filter((d) => !tried.has(d.id))
  let untried = fresh.length > 0 ? fresh : available
  if (strategy === 'usage-based') {
    untried = untried.filter((d) => {
      const s = health.thisMinute(d.id)
      return (
        (d.rpm === undefined || s.minuteRequests < d.rpm) && (d.tpm === undefined || s.minuteTokens < d.tpm)
      )
    })
  }
  const orderOf = (d: Deployment) => d.params.order ?? Number.POSITIVE_INFINITY
  const first = Math.min(...untried.map(orderOf))
  const candidates = untried.filter((d) => orderOf(d) === first)
  switch (strategy) {
    case 'ordered':
      return candidates[0]
    case 'least-busy':
      return lowest(candidates, (d) => health.of(d.id).inFlight)
    case 'latency-based-routing':
      return lowest(candidates, (d) => health.of(d.id).latencyMs ?? -1)
    case 'usage-based':
      return lowest(candidates, (d) => health.thisMinute(d.id).minuteTokens)
    case 'cost-based': {
      const cost = (d: Deployment) => pricePerToken(d) ?? Number.POSITIVE_INFINITY
      const cheapest = Math.min(...candidates.map(cost))
      return shuffle(
        candidates.filter((d) => cost(d) === cheapest),
        random,
      )
    }
    default:
      return shuffle(candidates, random)
  }
}
