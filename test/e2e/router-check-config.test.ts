/**
 * `agent-router router --check-config FILE` and `agent-router router` as their own processes, on LiteLLM
 * configs: what each entry resolves to and every warning is printed, the exit code is non-zero only for a file
 * that can serve nothing, and a served config names what it ignores at startup even at LOG_LEVEL=warn.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process'
import { copyFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { packageRoot } from '../../src/sandbox/drivers/bwrap/args.js'
import { ensureContainerBuilt } from '../fixtures/ensure-built.js'
import { tempDir } from './helpers.js'

const CLI = join(packageRoot(), 'dist/cli.js')
const FIXTURES = join(packageRoot(), 'src/router/__fixtures__/litellm-configs')
const dir = tempDir('ar-e2e-check-config-')
afterAll(() => dir.remove())

/** An environment with no provider keys or router settings from the machine running the tests. */
const ENV = { PATH: process.env.PATH ?? '', HOME: dir.path, LOG_LEVEL: 'warn' }

function run(args: string[], env: Record<string, string> = {}) {
  ensureContainerBuilt()
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      { cwd: dir.path, env: { ...ENV, ...env } },
      (err, stdout, stderr) =>
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    )
  })
}

describe('agent-router router --check-config', () => {
  it('prints each entry, the disabled ones and the ignored keys, and exits 0', async () => {
    const file = join(FIXTURES, 'reliability.yaml')
    const { code, stdout } = await run(['router', '--check-config', file], { GROQ_API_KEY: 'gsk-x' })
    expect(code).toBe(0)
    expect(stdout.split('\n')).toEqual([
      `${file}: 3 of 4 entries serve`,
      '  model_list[1] gpt-3.5-turbo -> openai gpt-3.5-turbo at https://api.openai.com/v1 (key: OPENAI_API_KEY, NOT SET)',
      '  model_list[2] gpt-3.5-turbo-16k -> openai gpt-3.5-turbo-16k at https://api.openai.com/v1 (key: OPENAI_API_KEY, NOT SET)',
      '  model_list[3] llama-fast -> groq llama-3.1-8b-instant at https://api.groq.com/openai/v1 (key: GROQ_API_KEY, set)',
      'warnings:',
      "  ! model_list[0] (zephyr-beta) is disabled: 'huggingface/' is not served by agent-router: Hugging Face's inference API is not OpenAI-compatible here",
      '  ! litellm_settings.set_verbose is not supported by agent-router and is ignored: the log level is LOG_LEVEL',
      '',
    ])
  })

  it('exits non-zero, naming every entry, for a file that cannot serve anything', async () => {
    const file = join(dir.path, 'bedrock-only.yaml')
    writeFileSync(
      file,
      'model_list:\n  - model_name: claude\n    litellm_params:\n      model: bedrock/anthropic.claude-3-sonnet\n',
    )
    const { code, stdout, stderr } = await run(['router', '--check-config', file])
    expect(code).toBe(1)
    expect(stdout).toBe('')
    expect(stderr).toContain(
      "no model_list entry can be served: model_list[0] (claude): 'bedrock/' is not served by agent-router: AWS Bedrock needs SigV4-signed requests",
    )
  })
})

describe('agent-router router with a LiteLLM config', () => {
  let child: ChildProcess | undefined
  afterAll(() => {
    child?.kill('SIGTERM')
  })

  it('logs one warning line per ignored key and disabled entry at startup, at LOG_LEVEL=warn', async () => {
    ensureContainerBuilt()
    const config = join(dir.path, 'litellm_config.yaml')
    copyFileSync(join(FIXTURES, 'ollama-local.yaml'), config)
    writeFileSync(config, 'litellm_settings:\n  set_verbose: true\n', { flag: 'a' })
    child = spawn(process.execPath, [CLI, 'router', '--port', '0'], {
      cwd: dir.path,
      env: { ...ENV, ROUTER_CONFIG: config },
    })
    let output = ''
    const seen = new Promise<void>((resolve, reject) => {
      child?.once('exit', (code) => reject(new Error(`the router exited (${code}): ${output}`)))
      child?.stdout?.on('data', (chunk: Buffer) => {
        output += chunk.toString()
        if (output.includes('set_verbose') && output.includes('llama2')) resolve()
      })
    })
    await seen
    const warnings = output
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { level: number | string; msg: string })
      .filter((line) => line.msg.includes('is disabled') || line.msg.includes('is not supported'))
    expect(warnings.map((w) => w.msg)).toEqual([
      "model_list[2] (llama2) is disabled: no provider can be inferred from the bare model name 'llama2'; write ollama/<name> for a local Ollama, or the provider prefix that hosts it",
      'litellm_settings.set_verbose is not supported by agent-router and is ignored: the log level is LOG_LEVEL',
    ])
  })
})
