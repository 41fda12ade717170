/**
 * `GET /metrics` of `agent-router start`: the seed's key metrics — WebSocket connections, containers active,
 * request processing time, turn time and errors by kind — followed by the router's own (model response time
 * as time to first byte and total, retries, fallbacks, cooldowns, tokens).
 */
import { Counter, Histogram } from '../router/usage/metrics-registry.js'
import type { RouterMetrics } from '../router/usage/router-metrics.js'

const TURN_BUCKETS = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600]

export class ServerMetrics {
  readonly wsConnections = new Counter(
    'agent_router_websocket_connections',
    'Open WebSocket connections.',
    'gauge',
  )
  readonly requests = new Histogram(
    'agent_router_http_request_duration_seconds',
    'Time to answer an HTTP request, by method, route and status.',
  )
  readonly turns = new Histogram(
    'agent_router_turn_duration_seconds',
    'Time from the start of a turn to its end, by outcome (ok, error, interrupted).',
    TURN_BUCKETS,
  )
  readonly errors = new Counter(
    'agent_router_errors_total',
    'Errors by kind (HTTP error type or turn_error).',
  )

  constructor(
    private readonly router: RouterMetrics,
    /** Containers running now, the configured maximum, and the warm pool. */
    private readonly containers: () => {
      running: number
      max: number
      pool?: { size: number; ready: number; starting: number }
    },
  ) {}

  render(): string {
    const { running, max, pool } = this.containers()
    const containers =
      '# HELP agent_router_containers_active Session containers running now.\n' +
      '# TYPE agent_router_containers_active gauge\n' +
      `agent_router_containers_active ${running}\n` +
      '# HELP agent_router_containers_max The most containers allowed at once (MAX_INSTANCES).\n' +
      '# TYPE agent_router_containers_max gauge\n' +
      `agent_router_containers_max ${Number.isFinite(max) ? max : 0}\n` +
      '# HELP agent_router_sandbox_pool Warm pool sandboxes (POOL_SIZE) by state: ready (booted, waiting) or starting.\n' +
      '# TYPE agent_router_sandbox_pool gauge\n' +
      `agent_router_sandbox_pool{state="ready"} ${pool?.ready ?? 0}\n` +
      `agent_router_sandbox_pool{state="starting"} ${pool?.starting ?? 0}\n`
    return (
      this.wsConnections.render() +
      containers +
      this.requests.render() +
      this.turns.render() +
      this.errors.render() +
      this.router.render()
    )
  }
}
