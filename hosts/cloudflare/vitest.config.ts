/**
 * The Cloudflare host's tests, inside workerd (vitest-pool-workers): the Worker, its Durable Objects and the
 * real ClaudeCodeContainer on a container runtime stand-in whose containers run in this Node process
 * (test/container-host.ts). The bindings and vars are read from wrangler.jsonc, so the tests run the
 * configuration that deploys.
 */
import { cloudflareTest } from '@cloudflare/vitest-pool-workers'
import { defineConfig } from 'vitest/config'
import { unstable_readConfig } from 'wrangler'
import { createContainerHost } from './test/container-host.js'

const deployed = unstable_readConfig({ config: 'wrangler.jsonc' })
/** Small enough that the max-instances test fills it with two sessions. */
export const TEST_MAX_INSTANCES = 2
const host = createContainerHost(TEST_MAX_INSTANCES)

export default defineConfig({
  plugins: [
    cloudflareTest({
      main: './test/worker.ts',
      miniflare: {
        compatibilityDate: deployed.compatibility_date,
        compatibilityFlags: deployed.compatibility_flags,
        bindings: {
          ...(deployed.vars as Record<string, string>),
          MAX_INSTANCES: String(TEST_MAX_INSTANCES),
          SESSION_TOKEN_SECRET: 'test-secret-test-secret-test-secret-0123',
        },
        durableObjects: Object.fromEntries(
          deployed.durable_objects.bindings.map((b: { name: string; class_name: string }) => [
            b.name,
            { className: b.class_name, useSQLite: true },
          ]),
        ),
        serviceBindings: { CONTAINER_HOST: (request: Request) => host.fetch(request) },
      },
    }),
  ],
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 20_000,
  },
})
