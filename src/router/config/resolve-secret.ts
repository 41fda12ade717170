/** `os.environ/NAME` references of the config resolved from the router's secrets, at request time. */

import { AppError } from '../../protocol/errors.js'
import type { Env } from './env.js'

const ENV_REF = 'os.environ/'

/** The value of a literal-or-reference config field; throws a 500 naming the variable when it is unset. */
export function resolveSecretRef(value: string, secrets: Env, field: string): string {
  if (!value.startsWith(ENV_REF)) return value
  const name = value.slice(ENV_REF.length)
  const resolved = secrets[name]
  if (resolved === undefined || resolved === '') {
    throw new AppError(
      'invalid_config',
      `${field} refers to ${value}, but ${name} is not set in the router's environment`,
    )
  }
  return resolved
}
