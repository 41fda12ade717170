/**
 * What the router benchmarks send and start: the chat-completions body and the Anthropic Messages body of
 * their rows (Claude Code's shape, small: a system block with `cache_control`, one text block, one tool), the
 * scripted upstream, and the router's config with a route to it (`bench/*`, and `paced/*` to its paced answers).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { start } from './processes.js'

const here = dirname(fileURLToPath(import.meta.url))

export const chatBody = (stream, model = 'bench/gpt-bench') =>
  JSON.stringify({
    model,
    stream,
    ...(stream ? { stream_options: { include_usage: true } } : {}),
    max_tokens: 256,
    messages: [
      { role: 'system', content: 'You are a helpful assistant.' },
      { role: 'user', content: 'Say forty words.' },
    ],
  })

export const messagesBody = (stream, model = 'bench/gpt-bench') =>
  JSON.stringify({
    model,
    stream,
    max_tokens: 256,
    system: [{ type: 'text', text: 'You are a helpful assistant.', cache_control: { type: 'ephemeral' } }],
    messages: [{ role: 'user', content: [{ type: 'text', text: 'Say forty words.' }] }],
    tools: [
      {
        name: 'Read',
        description: 'Read a file',
        input_schema: {
          type: 'object',
          properties: { file_path: { type: 'string' } },
          required: ['file_path'],
        },
      },
    ],
  })

/** The router's config, its routes to the upstream at `up` (`http://127.0.0.1:<port>`). */
const routerConfigText = (up) =>
  `model_list:\n  - model_name: bench/*\n    litellm_params: {model: hosted_vllm/*, api_base: ${up}/v1, api_key: bench-key}\n` +
  `  - model_name: paced/*\n    litellm_params: {model: hosted_vllm/*, api_base: ${up}/paced/v1, api_key: bench-key}\n`

/** The port a child prints as `listening <port>`. */
export const listening = (out) => {
  const m = /listening (\d+)/.exec(out)
  return m ? Number(m[1]) : undefined
}

/** Starts the scripted upstream and writes a router config routing to it, in a temp dir (`dir`) removed at exit. */
export async function upstreamAndConfig(dirPrefix) {
  const upstream = await start('upstream', [join(here, 'upstream-server.js')], {}, (out) => {
    const m = /ready (\d+)/.exec(out)
    return m ? Number(m[1]) : undefined
  })
  const up = `http://127.0.0.1:${upstream.port}`
  const dir = mkdtempSync(join(tmpdir(), dirPrefix))
  // After processes.js has killed the children (its handler was registered first).
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }))
  const config = join(dir, 'router.yaml')
  writeFileSync(config, routerConfigText(up))
  return { upstream, up, config, dir }
}
