/** AUTH_TOKEN checks of the Worker, the same rules as the Node host (constant-time comparison). */
import { sameToken } from '../../../src/router/router-auth.js'

/** Whether a presented token passes: anything when no AUTH_TOKEN is set, else only that token. */
export function authorized(authToken: string | undefined, presented: string | undefined): boolean {
  if (authToken === undefined) return true
  return presented !== undefined && sameToken(presented, authToken)
}
