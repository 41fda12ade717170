/**
 * A small Prometheus registry: counters, gauges and histograms with labels, rendered in the text exposition
 * format. Web-standard only, so the router (and a Cloudflare host) can use it; the server builds its own
 * metrics from the same pieces.
 */

export type Labels = Record<string, string>

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120]

const NEEDS_ESCAPE = /[\\"\n]/

function escapeValue(v: string): string {
  return NEEDS_ESCAPE.test(v) ? v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n') : v
}

/** The series key of `labels`: their text inside the braces of the exposition format. */
export function labelKey(labels: Labels): string {
  let out = ''
  for (const k in labels) {
    out += `${out === '' ? '' : ','}${k}="${escapeValue(labels[k] as string)}"`
  }
  return out
}

export class Counter {
  readonly values = new Map<string, number>()
  constructor(
    readonly name: string,
    readonly help: string,
    readonly type: 'counter' | 'gauge' = 'counter',
  ) {}

  add(labels: Labels, by = 1): void {
    this.addAt(labelKey(labels), by)
  }

  /** `add` for a series whose `labelKey` the caller kept. */
  addAt(key: string, by = 1): void {
    this.values.set(key, (this.values.get(key) ?? 0) + by)
  }

  render(): string {
    let out = `# HELP ${this.name} ${this.help}\n# TYPE ${this.name} ${this.type}\n`
    for (const [key, value] of this.values) out += `${this.name}${key === '' ? '' : `{${key}}`} ${value}\n`
    return out
  }
}

export class Histogram {
  private readonly series = new Map<string, { counts: number[]; sum: number; count: number }>()
  constructor(
    readonly name: string,
    readonly help: string,
    readonly buckets: readonly number[] = LATENCY_BUCKETS,
  ) {}

  observe(labels: Labels, value: number): void {
    this.observeAt(labelKey(labels), value)
  }

  /** `observe` for a series whose `labelKey` the caller kept. */
  observeAt(key: string, value: number): void {
    let s = this.series.get(key)
    if (!s) {
      s = { counts: this.buckets.map(() => 0), sum: 0, count: 0 }
      this.series.set(key, s)
    }
    for (let i = 0; i < this.buckets.length; i++)
      if (value <= (this.buckets[i] as number)) s.counts[i] = (s.counts[i] ?? 0) + 1
    s.sum += value
    s.count++
  }

  render(): string {
    let out = `# HELP ${this.name} ${this.help}\n# TYPE ${this.name} histogram\n`
    for (const [key, s] of this.series) {
      const sep = key === '' ? '' : ','
      this.buckets.forEach((le, i) => {
        out += `${this.name}_bucket{${key}${sep}le="${le}"} ${s.counts[i]}\n`
      })
      out += `${this.name}_bucket{${key}${sep}le="+Inf"} ${s.count}\n`
      out += `${this.name}_sum${key === '' ? '' : `{${key}}`} ${s.sum}\n`
      out += `${this.name}_count${key === '' ? '' : `{${key}}`} ${s.count}\n`
    }
    return out
  }
}
