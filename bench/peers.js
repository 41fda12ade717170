/**
 * The peer gateways the router benchmark measures next to ours, each a devDependency started on loopback in
 * front of the benchmark's upstream (how each runs here: ROUTER-BENCH-PEERS).
 *
 * - Portkey (`@portkey-ai/gateway`): the OpenAI chat-completions pass-through only; its open-source gateway
 *   answers `POST /v1/messages` to an OpenAI provider with "messages is not supported by openai".
 * - claude-code-router (`@musistudio/claude-code-router` 1.0.73; 2.x and later need Node 22): Claude Code's
 *   own path, `POST /v1/messages` translated to an OpenAI upstream. Its `/v1/chat/completions` (from the
 *   `@musistudio/llms` server under it) passes a chat body through too, when the model names the provider
 *   as `provider,model`, so it is measured there as well.
 *
 * Each start resolves `{name, child, port, targets}`: `targets.chat` / `targets.messages` is the request a row
 * of that path sends it (`url`, `headers`, and the `model` to ask for where it differs from the others'), or
 * a string saying why it cannot serve that path.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { freePort, start, waitHttp } from './processes.js'

const here = dirname(fileURLToPath(import.meta.url))
const require = createRequire(import.meta.url)
const packageDir = (name) => dirname(require.resolve(`${name}/package.json`))

/** @param {string} up the upstream's origin */
export async function startPortkey(up) {
  const port = await freePort()
  const entry = join(packageDir('@portkey-ai/gateway'), 'build/start-server.js')
  // The flag must be `--port=N`: with `--port N` it binds 8787.
  const { child } = await start(
    'portkey',
    ['--import', join(here, 'portkey-fetch-shim.js'), entry, `--port=${port}`, '--headless'],
    {},
    (out) => (/Ready for connections/.test(out) ? port : undefined),
  )
  await waitHttp(`http://127.0.0.1:${port}/`)
  const headers = {
    'x-portkey-provider': 'openai',
    'x-portkey-custom-host': `${up}/v1`,
    authorization: 'Bearer bench-key',
  }
  return {
    name: 'Portkey',
    child,
    port,
    targets: {
      chat: { url: `http://127.0.0.1:${port}/v1/chat/completions`, headers },
      messages: 'unsupported (no Messages -> OpenAI path)',
    },
  }
}

/**
 * Starts claude-code-router with `HOME` at `<dir>/claude-code-router-home` (it reads its config from, and
 * writes a pid file and `.claude.json` to, `$HOME`), so removing `dir` removes everything it wrote.
 * `cli.js start` serves in the foreground: the benchmark's child is the server itself.
 * @param {string} up the upstream's origin
 * @param {string} dir a temp dir of the benchmark's
 */
export async function startClaudeCodeRouter(up, dir) {
  const port = await freePort()
  const home = join(dir, 'claude-code-router-home')
  mkdirSync(join(home, '.claude-code-router'), { recursive: true })
  const config = {
    LOG: false,
    NON_INTERACTIVE_MODE: true,
    PORT: port,
    HOST: '127.0.0.1',
    Providers: [
      {
        name: 'bench',
        api_base_url: `${up}/v1/chat/completions`,
        api_key: 'bench-key',
        models: ['gpt-bench'],
      },
    ],
    Router: { default: 'bench,gpt-bench' },
  }
  writeFileSync(join(home, '.claude-code-router', 'config.json'), JSON.stringify(config))
  const entry = join(packageDir('@musistudio/claude-code-router'), 'dist/cli.js')
  const { child } = await start('claude-code-router', [entry, 'start'], { HOME: home }, (out) =>
    /Loaded JSON config/.test(out) ? port : undefined,
  )
  await waitHttp(`http://127.0.0.1:${port}/`)
  return {
    name: 'claude-code-router',
    child,
    port,
    targets: {
      // Its router picks a model for /v1/messages only; its chat endpoint wants `provider,model`.
      chat: { url: `http://127.0.0.1:${port}/v1/chat/completions`, headers: {}, model: 'bench,gpt-bench' },
      messages: {
        url: `http://127.0.0.1:${port}/v1/messages`,
        headers: { 'anthropic-version': '2023-06-01' },
      },
    },
  }
}
