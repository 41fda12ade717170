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
/** Containers running at once; the max-instances test lowers it (test/stand-in-protocol.ts, `limit`). */
const TEST_MAX_INSTANCES = 20
const host = createContainerHost(TEST_MAX_INSTANCES)

export default defineConfig({
  test: {
    projects: [
      {
        plugins: [
          cloudflareTest({
            main: './test/worker.ts',
            miniflare: {
              compatibilityDate: deployed.compatibility_date,
              compatibilityFlags: deployed.compatibility_flags,
              bindings: {
                ...(deployed.vars as Record<string, string>),
                MAX_INSTANCES: String(TEST_MAX_INSTANCES),
                CONTAINER_START_TIMEOUT: '500ms',
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
          name: 'workerd',
          include: ['test/*.test.ts'],
          testTimeout: 20_000,
          // One container host (and one max_instances) for every file, as on Cloudflare: files run one at a time.
          fileParallelism: false,
        },
      },
      {
        // What runs around the Worker on Node: wrangler itself (deploy dry run, bundle budget).
        test: { name: 'node', include: ['test/node/*.test.ts'], testTimeout: 120_000 },
      },
    ],
  },
})
