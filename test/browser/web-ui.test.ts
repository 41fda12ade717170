/**
 * The web UI in a real browser (Debian's chromium through playwright-core) against the whole system: the
 * server in-process, real Claude Code in a plain-process sandbox, the router, and the scripted model server.
 * Screenshots go to test-artifacts/browser/.
 */
import { existsSync, mkdirSync, unlinkSync } from 'node:fs'
import { join } from 'node:path'
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadServerConfig } from '../../src/config/config.js'
import { findTranscript } from '../../src/container/transcript-check.js'
import { createLogger } from '../../src/server/logger.js'
import { type RunningServer, startServer } from '../../src/server/start.js'
import { tempDir, writeGroqRouterConfig } from '../e2e/helpers.js'
import {
  endsWithToolResult,
  isAgentRequest,
  lastUserText,
  type ScriptedModelServer,
  startScriptedModelServer,
} from '../fixtures/scripted-model-server.js'

const CHROMIUM = '/usr/bin/chromium'
const SESSION = 'browser-1'
const ARTIFACTS = join(process.cwd(), 'test-artifacts', 'browser')
const dir = tempDir('ar-browser-')
const workspace = (id: string) => join(dir.path, 'data', 'sessions', id, 'workspace')

let scripted: ScriptedModelServer
let server: RunningServer
let port = 0
let browser: Browser
let context: BrowserContext
let page: Page
const pageErrors: string[] = []
const textDeltaFrames: string[] = []

async function start(): Promise<RunningServer> {
  const config = loadServerConfig(
    {
      DATA_DIR: join(dir.path, 'data'),
      ROUTER_CONFIG: writeGroqRouterConfig(dir.path, scripted.openaiBaseUrl),
      PORT: String(port),
      SANDBOX: 'none',
      GROQ_API_KEY: 'gsk_browser_test_key',
      PERMISSION_MODE: 'default',
      LOG_LEVEL: 'warn',
    },
    dir.path,
  )
  return startServer(config, {
    logger: createLogger({ level: 'warn', secrets: () => [], destination: { write: () => {} } }),
  })
}

const shot = (name: string, p: Page = page) =>
  p.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: false })

async function send(text: string): Promise<void> {
  const box = page.getByLabel('Message', { exact: true })
  await box.fill(text)
  await box.press('Enter')
}

/** Waits until the turn is over: no "Working…" line and the composer offers Send again. */
async function turnDone(timeout = 90_000): Promise<void> {
  await page.getByTestId('working').waitFor({ state: 'detached', timeout })
  await page.getByRole('button', { name: 'Send' }).waitFor({ timeout })
}

const connection = () => page.getByTestId('connection')

beforeAll(async () => {
  if (!existsSync(join(process.cwd(), 'dist', 'ui', 'index.html')))
    throw new Error('the web UI is not built: run `npm run build` first (`npm test` does)')
  mkdirSync(ARTIFACTS, { recursive: true })
  scripted = await startScriptedModelServer({
    respond: (request) => {
      if (!isAgentRequest(request)) return { text: 'Browser session' }
      const said = lastUserText(request)
      if (endsWithToolResult(request)) return { text: 'I created **hello.txt** for you.' }
      if (said.includes('Create hello.txt'))
        return {
          text: 'Creating the file.',
          toolCalls: [
            {
              name: 'Write',
              arguments: { file_path: join(workspace(SESSION), 'hello.txt'), content: 'hello, world\n' },
            },
          ],
        }
      if (said.includes('Show me code'))
        return {
          text: 'Here is a function:\n\n```ts\nexport function add(a: number, b: number): number {\n  return a + b // sum\n}\n```\n\n- it is **typed**\n- it is pure',
        }
      if (said.includes('Take your time')) return { text: 'Too late.', delayMs: 60_000 }
      return { text: `You said: ${said.slice(-60)}` }
    },
  })
  server = await start()
  port = server.port
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
    ],
  })
  context = await browser.newContext({ viewport: { width: 1400, height: 860 }, colorScheme: 'light' })
  page = await context.newPage()
  page.on('pageerror', (err) => pageErrors.push(err.message))
  page.on('websocket', (ws) =>
    ws.on('framereceived', ({ payload }) => {
      if (typeof payload === 'string' && payload.includes('"text_delta"')) textDeltaFrames.push(payload)
    }),
  )
}, 120_000)

afterAll(async () => {
  await browser?.close()
  await server?.close()
  await scripted?.close()
  dir.remove()
})

describe('web UI', { timeout: 120_000 }, () => {
  it('loads, connects, warns about SANDBOX=none and offers the seed models', async () => {
    await page.goto(`${server.url}/?session=${SESSION}`)
    await connection().and(page.locator('[data-state="open"]')).waitFor()
    const banner = page.getByTestId('warning-banner')
    await banner.waitFor()
    expect(await banner.textContent()).toMatch(/SANDBOX/i)
    const options = await page
      .locator('#model-dropdown option')
      .evaluateAll((els) => els.map((e) => (e as HTMLOptionElement).value))
    expect(options).toEqual(
      expect.arrayContaining(['groq/openai/gpt-oss-120b', 'openrouter/qwen/qwen3-coder']),
    )
    expect(options.some((o) => o.includes('*'))).toBe(false)
    await shot('01-empty')
  })

  it('sends with Enter, asks permission, and shows the tool card, file chip, answer and usage', async () => {
    await send('Create hello.txt containing hello, world')
    await page.getByTestId('user-message').filter({ hasText: 'Create hello.txt' }).waitFor()
    const prompt = page.getByTestId('permission')
    await prompt.waitFor({ timeout: 90_000 })
    expect(await prompt.textContent()).toContain('Write')
    await shot('02-permission-prompt')
    await prompt.getByRole('button', { name: 'Allow once' }).click()
    await prompt.getByText('Allowed').waitFor()
    await page.getByTestId('assistant-message').filter({ hasText: 'I created hello.txt for you.' }).waitFor({
      timeout: 90_000,
    })
    await turnDone()
    const card = page.getByTestId('tool-card').filter({ hasText: 'Write' })
    expect(await card.getAttribute('class')).toContain('tool-done')
    await page
      .getByRole('button', { name: /hello\.txt/ })
      .first()
      .waitFor()
    // The answer's markdown is rendered, not shown raw.
    expect(await page.getByTestId('assistant-message').last().locator('strong').textContent()).toBe(
      'hello.txt',
    )
    await page.getByTestId('turn-end').last().waitFor()
    expect(await page.getByTestId('turn-end').last().textContent()).toMatch(/tokens|s/)
    await card.locator('summary').click()
    await shot('03-turn-done')
  })

  it('opens a changed file from its chip, highlighted and marked in the tree', async () => {
    await page
      .locator('.file-chips')
      .getByRole('button', { name: /hello\.txt/ })
      .click()
    await page.getByTestId('viewer-path').filter({ hasText: 'hello.txt' }).waitFor()
    await page.getByTestId('viewer-code').filter({ hasText: 'hello, world' }).waitFor()
    const treeItem = page.locator('.workspace .tree-file', { hasText: 'hello.txt' })
    expect(await treeItem.locator('.mark').textContent()).toBe('new')
    await shot('04-file-open')
  })

  it('streams a markdown answer with highlighted code', async () => {
    const before = textDeltaFrames.length
    const box = page.getByLabel('Message', { exact: true })
    await box.fill('Show me code')
    await box.press('Shift+Enter')
    await box.pressSequentially('in TypeScript')
    expect(await box.inputValue()).toBe('Show me code\nin TypeScript')
    await box.press('Enter')
    await page.getByTestId('user-message').filter({ hasText: 'in TypeScript' }).waitFor()
    expect(await box.inputValue()).toBe('')
    const answer = page.getByTestId('assistant-message').filter({ hasText: 'Here is a function' })
    await answer.waitFor({ timeout: 90_000 })
    await turnDone()
    expect(textDeltaFrames.length).toBeGreaterThan(before)
    expect(await answer.locator('pre code.hljs .hljs-keyword').count()).toBeGreaterThan(0)
    expect(await answer.locator('li').count()).toBe(2)
    await shot('05-markdown')
  })

  it('keeps the chosen model per session, in localStorage and on the server', async () => {
    await page.selectOption('#model-dropdown', 'groq/openai/gpt-oss-20b')
    const before = scripted.requests.length
    await send('Which model is this?')
    await page.getByTestId('assistant-message').filter({ hasText: 'Which model is this?' }).waitFor({
      timeout: 90_000,
    })
    await turnDone()
    const used = scripted.requests.slice(before).filter(isAgentRequest)
    expect(used.map((r) => r.body.model)).toContain('openai/gpt-oss-20b')
    expect(await page.evaluate((id) => localStorage.getItem(`model_${id}`), SESSION)).toBe(
      'groq/openai/gpt-oss-20b',
    )
    const state = (await (await fetch(`${server.url}/agent/sessions/${SESSION}`)).json()) as {
      claudeSession: { preferredModel: string }
    }
    expect(state.claudeSession.preferredModel).toBe('groq/openai/gpt-oss-20b')
    await page.reload()
    await connection().and(page.locator('[data-state="open"]')).waitFor()
    expect(await page.locator('#model-dropdown').inputValue()).toBe('groq/openai/gpt-oss-20b')
    // The server keeps it too: a browser without the localStorage entry still shows it.
    await page.evaluate((id) => localStorage.removeItem(`model_${id}`), SESSION)
    await page.reload()
    await page.getByTestId('user-message').first().waitFor()
    await expect
      .poll(() => page.locator('#model-dropdown').inputValue(), { timeout: 10_000 })
      .toBe('groq/openai/gpt-oss-20b')
  })

  it('creates, switches, renames and deletes sessions', async () => {
    await page.getByRole('button', { name: '+ New' }).click()
    await expect.poll(() => new URL(page.url()).searchParams.get('session')).not.toBe(SESSION)
    const second = new URL(page.url()).searchParams.get('session')!
    expect(await page.getByTestId('user-message').count()).toBe(0)
    expect(await page.locator('#model-dropdown').inputValue()).toBe('groq/openai/gpt-oss-120b')
    await send('Hello from the second session')
    await page.getByTestId('assistant-message').filter({ hasText: 'Hello from the second session' }).waitFor({
      timeout: 90_000,
    })
    await turnDone()
    const sidebar = page.getByRole('navigation', { name: 'Sessions' })
    await sidebar.locator(`[data-session-id="${SESSION}"]`).waitFor()
    await shot('06-second-session')

    await sidebar.locator(`[data-session-id="${SESSION}"]`).click()
    await page.getByTestId('user-message').filter({ hasText: 'Create hello.txt' }).waitFor()
    expect(await page.getByTestId('user-message').filter({ hasText: 'Hello from the second' }).count()).toBe(
      0,
    )
    expect(await page.locator('#model-dropdown').inputValue()).toBe('groq/openai/gpt-oss-20b')

    const row = (id: string) => sidebar.locator('li', { has: page.locator(`[data-session-id="${id}"]`) })
    await row(SESSION).hover()
    await row(SESSION)
      .getByRole('button', { name: /^Rename / })
      .click()
    const input = sidebar.getByLabel('New title')
    await input.fill('Hello file work')
    await input.press('Enter')
    await sidebar.getByText('Hello file work').waitFor()
    await page.locator('h1', { hasText: 'Hello file work' }).waitFor()

    page.once('dialog', (d) => void d.accept())
    await row(second).hover()
    await row(second)
      .getByRole('button', { name: /^Delete / })
      .click()
    await sidebar.locator(`[data-session-id="${second}"]`).waitFor({ state: 'detached' })
    expect((await fetch(`${server.url}/agent/sessions/${second}`)).status).toBe(404)
    await shot('07-renamed')
  })

  it('interrupts a running turn with Stop', async () => {
    await send('Take your time with this one')
    const stop = page.getByTestId('interrupt')
    await stop.waitFor({ timeout: 30_000 })
    await page.getByTestId('working').waitFor()
    await shot('08-running')
    await stop.click()
    await turnDone(30_000)
    await page.locator('.turn-end .interrupted').last().waitFor()
    expect(await page.getByTestId('assistant-message').filter({ hasText: 'Too late.' }).count()).toBe(0)
    await shot('09-interrupted')
  })

  it('survives a server restart without a reload: reconnects, no duplicates, and the conversation continues', async () => {
    const usersBefore = await page.getByTestId('user-message').count()
    const itemsBefore = await page.locator('.conversation > *').count()
    await server.close()
    await connection().and(page.locator('[data-state="waiting"]')).waitFor({ timeout: 15_000 })
    await shot('10-offline')
    server = await start()
    await connection().and(page.locator('[data-state="open"]')).waitFor({ timeout: 30_000 })
    expect(await page.getByTestId('user-message').count()).toBe(usersBefore)
    expect(await page.locator('.conversation > *').count()).toBe(itemsBefore)
    await send('Still there after the restart?')
    await page
      .getByTestId('assistant-message')
      .filter({ hasText: 'Still there after the restart?' })
      .waitFor({
        timeout: 90_000,
      })
    await turnDone()
    expect(await page.getByTestId('user-message').count()).toBe(usersBefore + 1)
    const texts = await page.getByTestId('user-message').allInnerTexts()
    expect(new Set(texts).size).toBe(texts.length)
    await shot('11-after-restart')
  })

  it("shows as a quiet line, not an error, that the agent's memory was restored", async () => {
    const id = 'browser-restored'
    await page.goto(`${server.url}/?session=${id}`)
    await connection().and(page.locator('[data-state="open"]')).waitFor()
    await send('Remember the word heliotrope')
    await page.getByTestId('assistant-message').filter({ hasText: 'heliotrope' }).waitFor({ timeout: 90_000 })
    await turnDone()
    const state = (await (await fetch(`${server.url}/agent/sessions/${id}`)).json()) as {
      claudeSession: { id: string }
    }
    unlinkSync(findTranscript(join(dir.path, 'data', 'sessions', id, 'claude'), state.claudeSession.id)!)
    await send('Which word was it?')
    await page.getByTestId('assistant-message').filter({ hasText: 'Which word was it?' }).waitFor({
      timeout: 90_000,
    })
    await turnDone()
    const notice = page.getByTestId('notice')
    expect(await notice.textContent()).toBe(
      "The agent's memory was restored from the session history (1 turn).",
    )
    expect(await notice.getAttribute('role')).toBeNull()
    expect(await page.getByTestId('error').count()).toBe(0)
    await shot('11b-memory-restored')
  })

  it('fits a phone screen in dark mode', async () => {
    const phone = await browser.newContext({
      viewport: { width: 390, height: 844 },
      colorScheme: 'dark',
      isMobile: true,
      hasTouch: true,
      reducedMotion: 'reduce',
    })
    const p = await phone.newPage()
    p.on('pageerror', (err) => pageErrors.push(err.message))
    await p.goto(`${server.url}/?session=${SESSION}`)
    await p.getByTestId('user-message').first().waitFor()
    await p.getByTestId('connection').and(p.locator('[data-state="open"]')).waitFor()
    const overflow = await p.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)
    expect(overflow).toBeLessThanOrEqual(0)
    await shot('12-phone-dark', p)
    await p.getByRole('button', { name: 'Sessions' }).click()
    await p.getByRole('navigation', { name: 'Sessions' }).getByText('Hello file work').waitFor()
    await shot('13-phone-sessions', p)
    await p.keyboard.press('Escape')
    await p.getByRole('navigation', { name: 'Sessions' }).waitFor({ state: 'hidden' })
    await p
      .locator('.file-chips')
      .getByRole('button', { name: /hello\.txt/ })
      .first()
      .click()
    await p.getByTestId('viewer-code').filter({ hasText: 'hello, world' }).waitFor()
    await shot('14-phone-file', p)
    await phone.close()
    expect(pageErrors).toEqual([])
  })
})
