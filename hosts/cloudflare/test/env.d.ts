/** Bindings the tests add to the Worker's own (vitest.config.ts). */
declare namespace Cloudflare {
  interface Env {
    /** The Node-side container host behind the container runtime stand-in. */
    CONTAINER_HOST: Fetcher
  }
}
