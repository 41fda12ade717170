/**
 * What the development Worker (dev/worker.ts) and the local container runtime (dev/local-container-host.ts)
 * of `npm run dev` say to each other, beyond the stand-in protocol the tests use (test/stand-in-protocol.ts).
 */

/**
 * Every request of the Worker to the runtime carries RUNTIME_TOKEN_HEADER with the run's random
 * CONTAINER_RUNTIME_TOKEN: other programs on this machine cannot start sandboxes or reach their servers.
 */
export const RUNTIME_TOKEN_HEADER = 'x-container-runtime-token'

/**
 * How a sandbox's outbound HTTP reaches its container object: the runtime sends it to the Worker at
 * OUTBOUND_PATH + the original path, and the Worker hands it to the container object of the session whose
 * router token it carries, marked with OUTBOUND_HEADER, which answers it with the container class's own
 * outbound handlers (`http://router.internal`), as Cloudflare does.
 */
export const OUTBOUND_PATH = '/__dev/container-outbound'
export const OUTBOUND_HEADER = 'x-dev-container-outbound'

/** `POST /__control/alive` with the container id header: 200 while its server runs, 404 once it has ended. */
export const ALIVE_PATH = 'alive'
