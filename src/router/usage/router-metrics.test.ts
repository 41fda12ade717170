import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { type FinishedRequest, RouterMetrics } from './router-metrics.js'

/** How requests were recorded before `requestFinished`: the label objects built on every call. */
function recordWithLabels(metrics: RouterMetrics, r: FinishedRequest): void {
  const labels = { endpoint: r.endpoint, model: r.model }
  metrics.inFlight.add({}, -1)
  metrics.requests.add({ ...labels, status: String(r.status) })
  metrics.duration.observe(labels, r.durationSeconds)
  if (r.ttftSeconds !== null) metrics.ttft.observe(labels, r.ttftSeconds)
  if (r.inputTokens > 0) metrics.tokens.add({ model: r.model, direction: 'input' }, r.inputTokens)
  if (r.outputTokens > 0) metrics.tokens.add({ model: r.model, direction: 'output' }, r.outputTokens)
}

const request = fc.record({
  endpoint: fc.constantFrom('messages', 'chat_completions', 'count_tokens'),
  model: fc.constantFrom('groq/a', 'b', 'we"ird\\model\n', 'a'),
  status: fc.constantFrom(200, 400, 404, 429, 502),
  durationSeconds: fc.double({ min: 0, max: 200, noNaN: true }),
  ttftSeconds: fc.option(fc.double({ min: 0, max: 200, noNaN: true })),
  inputTokens: fc.nat(5000),
  outputTokens: fc.nat(5000),
})

describe('RouterMetrics.requestFinished', () => {
  it('renders the same /metrics text as recording each metric with its labels', () => {
    fc.assert(
      fc.property(fc.array(request, { maxLength: 30 }), (requests) => {
        const before = new RouterMetrics()
        const after = new RouterMetrics()
        for (const r of requests) {
          before.inFlight.add({}, 1)
          recordWithLabels(before, r)
          after.requestStarted()
          after.requestFinished(r)
        }
        after.requestStarted()
        before.inFlight.add({}, 1)
        expect(after.render()).toBe(before.render())
      }),
      { numRuns: 300 },
    )
  })
})
