/**
 * The first hour with only one provider: a server with nothing but ANTHROPIC_API_KEY (its address moved to
 * the scripted model server) offers only Anthropic models in the picker — no Groq or OpenRouter entries it
 * cannot serve — and the first message typed in the page is answered. Screenshots go to test-artifacts/browser/.
 */
import { existsSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { type Browser, chromium, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadServerConfig } from '../../src/config/config.js'
import { createLogger } from '../../src/server/logger.js'
import { type RunningServer, startServer } from '../../src/server/start.js'
import { tempDir } from '../e2e/helpers.js'
import {
  isAgentRequest,
  lastUserText,
  type ScriptedModelServer,
  startScriptedModelServer,
} from '../fixtures/scripted-model-server.js'

const KEY = 'sk-ant-browser-picker-3f9a'
const ARTIFACTS = join(process.cwd(), 'test-artifacts', 'browser')
const dir = tempDir('ar-picker-browser-')
let scripted: ScriptedModelServer
let server: RunningServer
let browser: Browser
let page: Page

beforeAll(async () => {
  if (!existsSync(join(process.cwd(), 'dist', 'ui', 'index.html')))
    throw new Error('the web UI is not built: run `npm run build` first (`npm test` does)')
  mkdirSync(ARTIFACTS, { recursive: true })
  scripted = await startScriptedModelServer({
    respond: (request) =>
      isAgentRequest(request)
        ? { text: `Hello from Claude: ${lastUserText(request)}` }
        : { text: 'Greeting' },
  })
  const env = {
    DATA_DIR: join(dir.path, 'data'),
    PORT: '0',
    SANDBOX: 'none',
    ANTHROPIC_API_KEY: KEY,
    ANTHROPIC_API_BASE: scripted.anthropicBaseUrl,
  }
  server = await startServer(loadServerConfig(env, dir.path), {
    logger: createLogger({ level: 'silent', secrets: () => [KEY] }),
  })
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  })
  page = await (await browser.newContext({ viewport: { width: 1200, height: 800 } })).newPage()
}, 60_000)

afterAll(async () => {
  await browser?.close()
  await server?.close()
  await scripted?.close()
  dir.remove()
})

describe('the model picker with only an Anthropic key', { timeout: 120_000 }, () => {
  it('offers only Anthropic models, and the first message is answered', async () => {
    await page.goto(`${server.url}/?session=first-hour`)
    const picker = page.locator('#model-dropdown')
    await expect.poll(() => picker.locator('option').count(), { timeout: 15_000 }).toBeGreaterThanOrEqual(2)
    const options = await picker
      .locator('option')
      .evaluateAll((els) => els.map((e) => ({ value: (e as HTMLOptionElement).value, label: e.textContent })))
    const models = options.filter((o) => !o.value.startsWith('other-model:')).map((o) => o.value)
    expect(models).toContain('anthropic/claude-sonnet-4-5')
    expect(models.every((id) => id.startsWith('anthropic/'))).toBe(true)
    expect(options.map((o) => o.label)).toContain('Other anthropic/ model…')
    expect(await picker.inputValue()).toBe('anthropic/claude-sonnet-4-5')
    // The banner warns about SANDBOX=none only, not about a missing provider.
    expect(await page.getByTestId('warning-banner').textContent()).not.toMatch(/provider/i)

    const box = page.getByLabel('Message', { exact: true })
    await box.fill('hello from the first hour')
    await box.press('Enter')
    await page
      .getByTestId('assistant-message')
      .filter({ hasText: 'Hello from Claude: hello from the first hour' })
      .waitFor({ timeout: 90_000 })
    expect(await page.getByTestId('error').count()).toBe(0)
    await page.screenshot({ path: join(ARTIFACTS, '30-anthropic-only.png') })
  })
})
