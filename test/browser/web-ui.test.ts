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
  newestParagraph,
  type ScriptedModelServer,
  startScriptedModelServer,
  workingDirectoryOf,
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

async function start(extra: Record<string, string> = {}): Promise<RunningServer> {
  const config = loadServerConfig(
    {
      DATA_DIR: join(dir.path, 'data'),
      ROUTER_CONFIG: writeGroqRouterConfig(dir.path, scripted.openaiBaseUrl),
      PORT: String(port),
      SANDBOX: 'none',
      GROQ_API_KEY: 'gsk_browser_test_key',
      PERMISSION_MODE: 'default',
      LOG_LEVEL: 'warn',
      ...extra,
    },
    dir.path,
  )
  return startServer(config, {
    logger: createLogger({ level: 'warn', secrets: () => [], destination: { write: () => {} } }),
  })
}

const shot = (name: string, p: Page = page) =>
  p.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: false })

async function send(text: string, p: Page = page): Promise<void> {
  const box = p.getByLabel('Message', { exact: true })
  await box.fill(text)
  await box.press('Enter')
}

/** Waits until the turn is over: no "Working…" line and the composer offers Send again. */
async function turnDone(timeout = 90_000, p: Page = page): Promise<void> {
  await p.getByTestId('working').waitFor({ state: 'detached', timeout })
  await p.getByRole('button', { name: 'Send' }).waitFor({ timeout })
}

const connection = () => page.getByTestId('connection')

/**
 * The page as a whole never scrolls, in either direction: the document is no larger than the viewport and
 * trying to scroll it moves nothing. Measured on the document, not `innerWidth` (a mobile viewport widens
 * that to fit whatever overflows).
 */
async function expectNoPageOverflow(p: Page = page): Promise<void> {
  const m = await p.evaluate(() => {
    const doc = document.documentElement
    const scroller = document.scrollingElement ?? doc
    scroller.scrollTo(100_000, 100_000)
    const measured = {
      width: doc.scrollWidth - doc.clientWidth,
      height: doc.scrollHeight - doc.clientHeight,
      scrolledX: scroller.scrollLeft,
      scrolledY: scroller.scrollTop,
    }
    scroller.scrollTo(0, 0)
    return measured
  })
  expect(m, 'the page overflows the viewport').toEqual({ width: 0, height: 0, scrolledX: 0, scrolledY: 0 })
}

async function sessionTurn(text: string, answer: string | RegExp, p: Page = page): Promise<void> {
  await send(text, p)
  await p.getByTestId('assistant-message').filter({ hasText: answer }).waitFor({ timeout: 90_000 })
  await turnDone(90_000, p)
}

beforeAll(async () => {
  if (!existsSync(join(process.cwd(), 'dist', 'ui', 'index.html')))
    throw new Error('the web UI is not built: run `npm run build` first (`npm test` does)')
  mkdirSync(ARTIFACTS, { recursive: true })
  scripted = await startScriptedModelServer({
    respond: (request) => {
      if (!isAgentRequest(request)) return { text: 'Browser session' }
      // After an interrupt Claude Code sends the stopped prompt again, joined with the next: the newest counts.
      const said = newestParagraph(lastUserText(request))
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
      if (said.includes('Tell me a long story'))
        return { text: Array.from({ length: 60 }, (_, i) => `Line ${i + 1} of the story.`).join('\n\n') }
      const cwd = workingDirectoryOf(request) ?? ''
      if (said.includes('Run ls'))
        return { text: 'Listing.', toolCalls: [{ name: 'Bash', arguments: { command: 'ls' } }] }
      const create = /Create (\S+\.txt) for the layout/.exec(said)
      if (create)
        return {
          text: 'Writing it.',
          toolCalls: [{ name: 'Write', arguments: { file_path: join(cwd, create[1]!), content: 'notes\n' } }],
        }
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
  it("loads, connects, warns about SANDBOX=none and offers the configured provider's models", async () => {
    await page.goto(`${server.url}/?session=${SESSION}`)
    await connection().and(page.locator('[data-state="open"]')).waitFor()
    const banner = page.getByTestId('warning-banner')
    await banner.waitFor()
    expect(await banner.textContent()).toMatch(/SANDBOX/i)
    const options = await page
      .locator('#model-dropdown option')
      .evaluateAll((els) => els.map((e) => (e as HTMLOptionElement).value))
    // The groq/* route's models as the provider lists them, and no provider that is not configured.
    expect(options).toEqual(
      expect.arrayContaining(['groq/openai/gpt-oss-120b', 'groq/openai/gpt-oss-20b', 'other-model:groq/']),
    )
    expect(options.some((o) => o.includes('*') || o.includes('openrouter'))).toBe(false)
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
    await expectNoPageOverflow()
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

  it('keeps the page still after turns with file chips, and labels a Bash card "Bash ls"', async () => {
    await page.goto(`${server.url}/?session=browser-layout`)
    await connection().and(page.locator('[data-state="open"]')).waitFor()
    await sessionTurn('Tell me a long story', 'Line 60 of the story.')
    // Claude Code runs a read-only command like ls without asking.
    await send('Run ls')
    const bash = page.getByTestId('tool-card').filter({ hasText: 'Bash' })
    await bash.waitFor({ timeout: 90_000 })
    await turnDone()
    expect(await bash.locator('.tool-name').textContent()).toBe('Bash')
    expect(await bash.locator('.tool-summary').textContent()).toBe('ls')
    // A file chip far down the conversation: its visually hidden label must stay inside the scroller.
    await send('Create notes.txt for the layout')
    await page
      .getByTestId('permission')
      .last()
      .getByRole('button', { name: 'Allow once' })
      .click({ timeout: 90_000 })
    await turnDone()
    await page
      .locator('.file-chips')
      .getByRole('button', { name: /notes\.txt/ })
      .waitFor()
    await expectNoPageOverflow()
    await shot('15-long-conversation-with-chips')
    // The medium layout, where the workspace is a closed slide-over panel.
    await page.setViewportSize({ width: 900, height: 700 })
    await expectNoPageOverflow()
    await shot('16-medium-width')
    await page.setViewportSize({ width: 390, height: 844 })
    await expectNoPageOverflow()
    await page.setViewportSize({ width: 1400, height: 860 })
  })

  it('shows a follow-up sent during a turn as queued; it can be cancelled or taken back to edit', async () => {
    await page.goto(`${server.url}/?session=browser-queue`)
    await connection().and(page.locator('[data-state="open"]')).waitFor()
    await send('Take your time with this one')
    const stop = page.getByTestId('interrupt')
    await stop.waitFor({ timeout: 30_000 })
    await send('First follow-up')
    await send('Second follow-up')
    const queued = page.getByTestId('queued-message')
    await expect.poll(() => queued.count()).toBe(2)
    expect(await queued.first().textContent()).toContain('Queued')
    // Queued messages wait below the running turn, not among its output.
    expect(await page.getByTestId('user-message').count()).toBe(1)
    expect(await stop.textContent()).toBe('Stop turn')
    expect(await stop.getAttribute('title')).toMatch(/running turn only: 2 queued messages will still run/)
    await expectNoPageOverflow()
    await shot('17-queued')

    await queued.filter({ hasText: 'First follow-up' }).getByRole('button', { name: 'Cancel' }).click()
    await queued.filter({ hasText: 'First follow-up' }).waitFor({ state: 'detached' })
    await queued.filter({ hasText: 'Second follow-up' }).getByRole('button', { name: 'Edit' }).click()
    await queued.filter({ hasText: 'Second follow-up' }).waitFor({ state: 'detached' })
    const box = page.getByLabel('Message', { exact: true })
    expect(await box.inputValue()).toBe('Second follow-up')
    await shot('18-queued-taken-back')
    await box.fill('Second follow-up, edited')
    await box.press('Enter')
    await queued.filter({ hasText: 'Second follow-up, edited' }).waitFor()
    expect(await stop.getAttribute('title')).toMatch(/1 queued message will still run/)

    // Stop ends the running turn only; the queued message then runs.
    await stop.click()
    await page
      .getByTestId('assistant-message')
      .filter({ hasText: 'You said: Second follow-up, edited' })
      .waitFor({ timeout: 90_000 })
    await turnDone()
    expect(await queued.count()).toBe(0)
    expect(await page.getByTestId('user-message').allInnerTexts()).toEqual([
      'Take your time with this one',
      'Second follow-up, edited',
    ])
    const events = (await (await fetch(`${server.url}/agent/sessions/browser-queue/events`)).json()) as {
      events: { type: string; content?: string }[]
    }
    const ran = events.events.filter((e) => e.type === 'result').map((e) => e.content)
    expect(ran.some((r) => r?.includes('First follow-up'))).toBe(false)
    expect(events.events.filter((e) => e.type === 'message_cancelled')).toHaveLength(2)
    await shot('19-queued-ran')
  })

  it("shows in a turn's footer the time the person waited, from their message to the turn's end", async () => {
    await page.goto(`${server.url}/?session=browser-timing`)
    await connection().and(page.locator('[data-state="open"]')).waitFor()
    // The first turn of a session includes starting its sandbox and Claude Code: time Claude Code's own
    // duration_ms leaves out.
    await sessionTurn('How long does this take?', 'How long does this take?')
    const footer = await page.getByTestId('turn-end').last().textContent()
    const [, amount, unit] = /^([\d.]+) (ms|s)\b/.exec(footer ?? '') ?? []
    const shownMs = Number(amount) * (unit === 's' ? 1000 : 1)
    const { events } = (await (await fetch(`${server.url}/agent/sessions/browser-timing/events`)).json()) as {
      events: { type: string; timestamp: number; data?: { isRunning?: boolean } }[]
    }
    const asked = events.find((e) => e.type === 'user_message')!.timestamp
    const ended = events.findLast((e) => e.type === 'status' && e.data?.isRunning === false)!.timestamp
    expect(Math.abs(shownMs - (ended - asked))).toBeLessThanOrEqual(100)
  })

  it('goes Back and Forward between sessions, and a reload keeps the session', async () => {
    await page.goto(`${server.url}/?session=browser-restored`)
    await page.getByTestId('user-message').filter({ hasText: 'heliotrope' }).waitFor()
    await page.evaluate(() => Object.assign(window, { sameDocument: true }))
    const sidebar = page.getByRole('navigation', { name: 'Sessions' })
    await sidebar.locator(`[data-session-id="${SESSION}"]`).click()
    await page.getByTestId('user-message').filter({ hasText: 'Create hello.txt' }).waitFor()
    await page.goBack()
    await page.getByTestId('user-message').filter({ hasText: 'heliotrope' }).waitFor()
    expect(new URL(page.url()).searchParams.get('session')).toBe('browser-restored')
    expect(await page.getByTestId('user-message').filter({ hasText: 'Create hello.txt' }).count()).toBe(0)
    await page.goForward()
    await page.getByTestId('user-message').filter({ hasText: 'Create hello.txt' }).waitFor()
    expect(new URL(page.url()).searchParams.get('session')).toBe(SESSION)
    // Switched in place, without loading the page again.
    expect(await page.evaluate(() => 'sameDocument' in window)).toBe(true)
    await page.reload()
    await page.getByTestId('user-message').filter({ hasText: 'Create hello.txt' }).waitFor()
    expect(new URL(page.url()).searchParams.get('session')).toBe(SESSION)
  })

  it('cancels a rename with Escape', async () => {
    const sidebar = page.getByRole('navigation', { name: 'Sessions' })
    const row = sidebar.locator('li', { has: page.locator(`[data-session-id="${SESSION}"]`) })
    await row.hover()
    await row.getByRole('button', { name: /^Rename / }).click()
    const input = sidebar.getByLabel('New title')
    await input.fill('Not this title')
    await input.press('Escape')
    await input.waitFor({ state: 'detached' })
    await new Promise((r) => setTimeout(r, 500))
    await sidebar.getByText('Hello file work').waitFor()
    expect(await sidebar.getByText('Not this title').count()).toBe(0)
    const state = (await (await fetch(`${server.url}/agent/sessions/${SESSION}`)).json()) as { title: string }
    expect(state.title).toBe('Hello file work')
  })

  it('never shows "New session" or another session\'s draft while a session loads', async () => {
    const p = await context.newPage()
    p.on('pageerror', (err) => pageErrors.push(err.message))
    // What each frame shows: the address, the title, the sidebar and the message box.
    await p.addInitScript(() => {
      const frames: { session: string | null; title: string; sidebar: string; box: string }[] = []
      Object.assign(window, { frames_: frames })
      const sample = () => {
        frames.push({
          session: new URLSearchParams(location.search).get('session'),
          title: document.querySelector('h1')?.textContent ?? '',
          sidebar: document.querySelector('nav.sidebar')?.textContent ?? '',
          box: document.querySelector<HTMLTextAreaElement>('#message')?.value ?? '',
        })
        requestAnimationFrame(sample)
      }
      requestAnimationFrame(sample)
    })
    // A slow sessions list, so the loading state lasts long enough to be seen.
    await p.route(/\/agent\/sessions$/, async (route) => {
      await new Promise((r) => setTimeout(r, 1500))
      await route.continue()
    })
    await p.goto(`${server.url}/?session=${SESSION}`)
    await p.getByTestId('user-message').first().waitFor()
    await shot('20-loading', p)
    await p.locator('h1', { hasText: 'Hello file work' }).waitFor()
    const box = p.getByLabel('Message', { exact: true })
    await box.fill('A draft for the first session')
    await p
      .getByRole('navigation', { name: 'Sessions' })
      .locator('[data-session-id="browser-restored"]')
      .click()
    await p.getByTestId('user-message').filter({ hasText: 'heliotrope' }).waitFor()
    await p.waitForTimeout(300)
    type Frame = { session: string | null; title: string; sidebar: string; box: string }
    const frames = await p.evaluate(() => (window as unknown as { frames_: Frame[] }).frames_)
    expect(frames.length).toBeGreaterThan(5)
    expect(frames.filter((f) => f.title === 'New session' || f.sidebar.includes('New session'))).toEqual([])
    const otherDraft = frames.filter((f) => f.session === 'browser-restored' && f.box !== '')
    expect(otherDraft).toEqual([])
    await p.getByRole('navigation', { name: 'Sessions' }).locator(`[data-session-id="${SESSION}"]`).click()
    expect(await box.inputValue()).toBe('A draft for the first session')
    await box.fill('')
    await p.close()
  })

  it('says the server wants a token when it answers 401, not that it is unreachable', async () => {
    const guarded = await startServer(
      loadServerConfig(
        {
          DATA_DIR: join(dir.path, 'data-auth'),
          ROUTER_CONFIG: writeGroqRouterConfig(dir.path, scripted.openaiBaseUrl),
          PORT: '0',
          SANDBOX: 'none',
          AUTH_TOKEN: 'browser-test-token',
          LOG_LEVEL: 'warn',
        },
        dir.path,
      ),
      { logger: createLogger({ level: 'warn', secrets: () => [], destination: { write: () => {} } }) },
    )
    const p = await context.newPage()
    try {
      await p.goto(`${guarded.url}/?session=browser-auth`)
      const pill = p.getByTestId('connection').and(p.locator('[data-state="waiting"]'))
      await pill.waitFor({ timeout: 15_000 })
      const text = (await pill.textContent()) ?? ''
      expect(text).toContain('needs a token')
      expect(text).not.toContain('not reachable')
      await expectNoPageOverflow(p)
      await shot('21-needs-token', p)
    } finally {
      await p.close()
      await guarded.close()
    }
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
    await expectNoPageOverflow(p)
    await shot('12-phone-dark', p)
    await p.getByRole('button', { name: 'Sessions' }).click()
    await p.getByRole('navigation', { name: 'Sessions' }).getByText('Hello file work').waitFor()
    await expectNoPageOverflow(p)
    await shot('13-phone-sessions', p)
    await p.keyboard.press('Escape')
    await p.getByRole('navigation', { name: 'Sessions' }).waitFor({ state: 'hidden' })
    await p
      .locator('.file-chips')
      .getByRole('button', { name: /hello\.txt/ })
      .first()
      .click()
    await p.getByTestId('viewer-code').filter({ hasText: 'hello, world' }).waitFor()
    await expectNoPageOverflow(p)
    await shot('14-phone-file', p)
    await phone.close()
    expect(pageErrors).toEqual([])
  })
})
