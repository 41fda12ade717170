/**
 * A closed-loop load generator over keep-alive `node:http`: `concurrency` workers each send the next request
 * as soon as their previous answer has fully arrived. Returns the latency percentiles (to the last byte; the
 * median also to the first byte of the body) and the throughput of the whole run.
 */
import { Agent, request } from 'node:http'

/**
 * @param {{url: string, headers: Record<string, string>, body: string, concurrency: number, requests: number}} o
 */
export async function runLoad(o) {
  const target = new URL(o.url)
  const agent = new Agent({ keepAlive: true, maxSockets: o.concurrency })
  const body = Buffer.from(o.body)
  const headers = { ...o.headers, 'content-type': 'application/json', 'content-length': body.length }
  const latencies = []
  const firstBytes = []
  let errors = 0
  let firstError
  let next = 0
  const one = () =>
    new Promise((resolve) => {
      const started = process.hrtime.bigint()
      const req = request(
        { host: target.hostname, port: target.port, path: target.pathname, method: 'POST', headers, agent },
        (res) => {
          let size = 0
          res.on('data', (d) => {
            if (size === 0) firstBytes.push(Number(process.hrtime.bigint() - started) / 1e6)
            size += d.length
          })
          res.on('end', () => {
            const ms = Number(process.hrtime.bigint() - started) / 1e6
            if (res.statusCode !== 200 || size === 0) {
              errors++
              firstError ??= `status ${res.statusCode}`
            } else latencies.push(ms)
            resolve()
          })
        },
      )
      req.on('error', (err) => {
        errors++
        firstError ??= err.message
        resolve()
      })
      req.end(body)
    })
  const worker = async () => {
    while (next < o.requests) {
      next++
      await one()
    }
  }
  const started = process.hrtime.bigint()
  await Promise.all(Array.from({ length: o.concurrency }, worker))
  const seconds = Number(process.hrtime.bigint() - started) / 1e9
  agent.destroy()
  return pooled([{ latencies, firstBytes, seconds, errors, firstError }])
}

const at = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN

/**
 * The percentiles and throughput of several runs of one target taken together (`runs`: their `samples`), so
 * a target measured in rounds, between the others' rounds, is summed up over all of them.
 */
export function pooled(runs) {
  const latencies = runs.flatMap((r) => r.latencies).sort((a, b) => a - b)
  const firstBytes = runs.flatMap((r) => r.firstBytes).sort((a, b) => a - b)
  const seconds = runs.reduce((n, r) => n + r.seconds, 0)
  return {
    p50: at(latencies, 0.5),
    p99: at(latencies, 0.99),
    firstByteP50: at(firstBytes, 0.5),
    rps: latencies.length / seconds,
    errors: runs.reduce((n, r) => n + r.errors, 0),
    firstError: runs.find((r) => r.firstError !== undefined)?.firstError,
    samples: runs,
  }
}
