/** What the container runtime stand-in (workerd) and the container host (Node) say to each other. */

/** Header the runtime stand-in names the container with. */
export const CONTAINER_ID_HEADER = 'x-container-id'
/** Set on answers that the runtime, not the container, gives. */
export const STAND_IN_HEADER = 'x-container-runtime'
export const NOT_LISTENING = 'the container is not listening'
/** Cloudflare's words when every instance (max_instances) is taken. */
export const NO_INSTANCE = 'there is no container instance that can be provided to this durable object'

/** A request to the runtime itself (`/__control/<what>`) as `/<what>`; undefined for one to a container. */
export function controlRequest(request: Request): Request | undefined {
  const url = new URL(request.url)
  if (!url.pathname.startsWith('/__control/')) return undefined
  url.pathname = url.pathname.slice('/__control'.length)
  return new Request(url, request)
}

/** The runtime's answer for a container that does not listen (not started, or stopped). */
export function notListening(): Response {
  return new Response(NOT_LISTENING, { status: 503, headers: { [STAND_IN_HEADER]: 'not-listening' } })
}
