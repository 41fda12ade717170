/** What `npm run dev` (dev/dev.ts) gives the development Worker beyond the deployed Worker's own bindings. */
declare namespace Cloudflare {
  interface Env {
    /** The local container runtime (dev/local-container-host.ts) that runs each session's container server. */
    CONTAINER_RUNTIME_URL?: string
    /** What the Worker shows the local container runtime on every request (random per run). */
    CONTAINER_RUNTIME_TOKEN?: string
  }
}
