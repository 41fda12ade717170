/**
 * A stand-in for Cloudflare's container runtime (`ctx.container` of a Container Durable Object), since
 * workerd cannot run containers here: the real ClaudeCodeContainer and @cloudflare/containers run on top of
 * it unchanged. Starting, stopping and the container's TCP port go to the Node-side container host
 * (test/container-host.ts) over a service binding; outbound interceptions are recorded, so a test can call
 * `http://router.internal` exactly as the container would.
 */
import { CONTAINER_ID_HEADER, NOT_LISTENING, STAND_IN_HEADER } from './stand-in-protocol.js'

interface StartOptions {
  env?: Record<string, string>
  enableInternet?: boolean
  entrypoint?: string[]
}

/** Where the containers run: a service binding in the tests, the local container runtime's URL in `npm run dev`. */
export interface RuntimeHost {
  fetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response>
}

/** Every stand-in runtime of this isolate, by container object id (for tests that look inside). */
export const runtimes = new Map<string, ContainerRuntimeStandIn>()

export class ContainerRuntimeStandIn {
  running = false
  enableInternet: boolean | undefined
  /** Hosts whose outbound HTTP the container class intercepts, and the fetcher that answers them. */
  readonly intercepted = new Map<string, Fetcher>()
  private starting: Promise<void> = Promise.resolve()
  private exited: Promise<void> = Promise.resolve()
  private settle: { resolve(): void; reject(err: Error): void } | undefined

  constructor(
    private readonly host: RuntimeHost,
    private readonly id: string,
  ) {}

  private control(path: string, body?: unknown): Promise<Response> {
    return this.host.fetch(`http://host/__control/${path}`, {
      method: 'POST',
      headers: { [CONTAINER_ID_HEADER]: this.id },
      body: JSON.stringify(body ?? {}),
    })
  }

  start(options: StartOptions = {}): void {
    this.running = true
    this.enableInternet = options.enableInternet
    this.exited = new Promise<void>((resolve, reject) => {
      this.settle = { resolve, reject }
    })
    this.exited.catch(() => {})
    this.starting = this.control('start', options.env)
      .then(async (res) => {
        if (res.ok) return
        // As on Cloudflare: no instance free; the container never runs and its monitor fails.
        this.running = false
        this.settle?.reject(new Error(await res.text()))
      })
      .catch((err: Error) => {
        this.running = false
        this.settle?.reject(err)
      })
  }

  /** The container ended on its own (a crash, a limit): what Cloudflare's runtime reports through monitor(). */
  ended(): void {
    if (!this.running) return
    this.running = false
    this.settle?.resolve()
  }

  monitor(): Promise<void> {
    return this.exited
  }

  private async stop(): Promise<void> {
    if (!this.running) return
    this.running = false
    await this.control('stop')
    this.settle?.resolve()
  }

  async destroy(): Promise<void> {
    await this.stop()
  }

  signal(_signo: number): void {
    this.stop().catch(() => {})
  }

  getTcpPort(_port: number): { fetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> } {
    return {
      fetch: async (input, init) => {
        await this.starting
        if (!this.running) throw new Error(NOT_LISTENING)
        const request = new Request(input, init)
        const forwarded = new Request(request.url, request)
        forwarded.headers.set(CONTAINER_ID_HEADER, this.id)
        const res = await this.host.fetch(forwarded)
        if (res.headers.get(STAND_IN_HEADER) === 'not-listening') {
          // Started, and nothing listens any more: the container ended on its own (a crash, a limit), which
          // Cloudflare's runtime reports through monitor(); the next start is a fresh one.
          this.ended()
          throw new Error(NOT_LISTENING)
        }
        return res
      },
    }
  }

  async interceptOutboundHttp(host: string, fetcher: Fetcher): Promise<void> {
    this.intercepted.set(host, fetcher)
  }

  async interceptAllOutboundHttp(fetcher: Fetcher): Promise<void> {
    this.intercepted.set('*', fetcher)
  }

  async interceptOutboundHttps(host: string, fetcher: Fetcher): Promise<void> {
    this.intercepted.set(`https:${host}`, fetcher)
  }
}
