/**
 * The command a sandbox runs by default: this package's built container entry, `node dist/container/main.js`
 * (the same server `agent-router container` starts, without going through the CLI). Resolved relative to
 * this file, so it works from `src/` under Vitest and from `dist/` alike; it needs `npm run build` first.
 */
import { fileURLToPath } from 'node:url'

export function defaultContainerCommand(): string[] {
  return [process.execPath, fileURLToPath(new URL('../../dist/container/main.js', import.meta.url))]
}
