/**
 * How a sandbox's outbound HTTP reaches its container object in `npm run dev`: the local container runtime
 * (Node) sends it to the development Worker at OUTBOUND_PATH + the original path, and the Worker hands it to the
 * container object of the session whose router token it carries, marked with OUTBOUND_HEADER, which answers
 * it with the container class's own outbound handlers (`http://router.internal`), as Cloudflare does.
 */
export const OUTBOUND_PATH = '/__dev/container-outbound'
export const OUTBOUND_HEADER = 'x-dev-container-outbound'
