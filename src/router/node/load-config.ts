/**
 * Reads the router configuration file (`ROUTER_CONFIG`): the only router module that touches the file system.
 */
import { readFileSync } from 'node:fs'
import { AppError } from '../../protocol/errors.js'
import type { RouterConfig } from '../config/config-schema.js'
import { defaultRouterConfig, parseRouterConfig } from '../config/parse-config.js'

/** Loads the YAML file at `path`, or the built-in default when `path` is undefined. */
export function loadRouterConfig(path: string | undefined): RouterConfig {
  if (path === undefined) return defaultRouterConfig()
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (err) {
    throw new AppError('invalid_config', `could not read router config ${path}: ${(err as Error).message}`, {
      cause: err,
    })
  }
  return parseRouterConfig(text, path)
}
