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
/** One route to the scripted upstream below, as a deployment's litellm_config.yaml would give it. */
const UPSTREAM_ROUTES = `model_list:
  - model_name: hosted_vllm/*
    litellm_params:
      model: hosted_vllm/*
      api_base: http://upstream.test/v1
`

/** An OpenAI-compatible model that answers every chat completion with the same text and usage. */
async function scriptedUpstream(request: Request): Promise<Response> {
  if (new URL(request.url).pathname !== '/v1/chat/completions')
    return new Response('not found', { status: 404 })
  const body = (await request.json()) as { model: string }
  return Response.json({
    id: 'chatcmpl-1',
    object: 'chat.completion',
    created: 0,
    model: body.model,
    choices: [
      { index: 0, message: { role: 'assistant', content: 'hi from upstream' }, finish_reason: 'stop' },
    ],
    usage: { prompt_tokens: 11, completion_tokens: 7, total_tokens: 18 },
  })
}

/**
 * Containers running at once; the max-instances test lowers it (test/stand-in-protocol.ts, `limit`). The
 * containers of one test file stay up while the next runs, as they would until SLEEP_AFTER, so this is above
 * what all the files start together: past it a turn waits for an instance and its test times out.
 */
const TEST_MAX_INSTANCES = 100
const host = createContainerHost(TEST_MAX_INSTANCES)
/** WORKSPACE_ARCHIVE_LIMIT in the tests (test/workspace-persistence.test.ts goes over it). */
const TEST_ARCHIVE_LIMIT = '64KB'

/**
 * Core tests that need Node: the router's Node adapter (sockets), the layering check (reads the source
 * tree), the actor and the session title on better-sqlite3 (and a workspace folder), and the official
 * Anthropic and OpenAI SDKs as clients (their Node builds).
 */
const CORE_TESTS_NODE_ONLY = [
  'src/router/node/**',
  'src/router/layering.test.ts',
  'src/agent/session-actor.test.ts',
  'src/agent/session-title.test.ts',
  'src/router/providers/anthropic/anthropic.test.ts',
]

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
                ROUTER_CONFIG: UPSTREAM_ROUTES,
                // Small, so a test can go over it with one file.
                WORKSPACE_ARCHIVE_LIMIT: TEST_ARCHIVE_LIMIT,
              },
              r2Buckets: (deployed.r2_buckets ?? []).map((b: { binding: string }) => b.binding),
              // The providers' side of the router: a scripted OpenAI-compatible model (no network here).
              outboundService: (request: Request) => scriptedUpstream(request),
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
        // The portable core's own unit tests, run inside workerd as well as on Node (DESIGN.md, portability
        // rule). Left out: the router's Node adapter, and tests of Node-only helpers or of the source tree.
        plugins: [cloudflareTest({ miniflare: { compatibilityDate: deployed.compatibility_date } })],
        test: {
          name: 'core-in-workerd',
          root: '../..',
          include: ['src/router/**/*.test.ts', 'src/agent/**/*.test.ts'],
          exclude: CORE_TESTS_NODE_ONLY,
          // As on Node (the root vitest.config.ts): loading the tokenizer takes seconds on a busy machine.
          testTimeout: 20_000,
        },
      },
      {
        // What runs around the Worker on Node: wrangler itself (deploy dry run, bundle budget), and `npm run dev`
        // with its bwrap sandboxes, driven over WebSocket and in Chromium (installed as for the root's tests).
        test: {
          name: 'node',
          include: ['test/node/*.test.ts'],
          testTimeout: 120_000,
          globalSetup: ['../../test/setup/system-packages.ts'],
        },
      },
    ],
  },
})
