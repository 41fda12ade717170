/** The check that a request asks for one answer: Anthropic's Messages API has no `n`. */
import { AppError } from '../../protocol/errors.js'

/**
 * Refuses `n` other than 1. Anthropic's Messages API answers one choice per request, and folding several
 * choices into one message would interleave their text.
 */
export function refuseSeveralChoices(n: unknown, api: string): void {
  if (n === undefined || n === null || n === 1) return
  throw new AppError(
    'invalid_request_error',
    `n: ${JSON.stringify(n)} is not supported: ${api} answers with one choice per request; send n: 1 (or leave it out) and make several requests instead`,
  )
}
