/**
 * The working line (current step, elapsed time), the session's usage and context meter, and the keyboard
 * shortcuts with their help sheet, in a real browser against the whole system. Screenshots go to
 * test-artifacts/browser/.
 */
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { tempDir } from '../e2e/helpers.js'
import { openSystem, type SystemPage, send, turn } from '../fixtures/browser-page.js'
import { endsWithToolResult, isAgentRequest, lastUserText } from '../fixtures/scripted-model-server.js'

const dir = tempDir('ar-keys-browser-')

let page: Page
let view: SystemPage

beforeAll(async () => {
  view = await openSystem(dir, 'keys-1', (request) => {
    if (!isAgentRequest(request)) return { text: 'Keys' }
    const said = lastUserText(request)
    if (said === 'slow please')
      return endsWithToolResult(request)
        ? { text: 'Slept.' }
        : { toolCalls: [{ name: 'Bash', arguments: { command: 'sleep 3', description: 'Wait a little' } }] }
    if (said === 'code please') return { text: 'Use:\n\n```js\nconsole.log("last block")\n```' }
    if (said === 'wait forever') return { text: 'Too late.', delayMs: 60_000 }
    return { text: `You said: ${said}` }
  })
  page = view.page
}, 120_000)

afterAll(() => view?.close())

const sessionInUrl = () => new URL(page.url()).searchParams.get('session')

describe('activity, usage and shortcuts', { timeout: 120_000 }, () => {
  it('says what runs now and for how long while a turn works', async () => {
    await send(page, 'slow please')
    const step = page.getByTestId('current-step').filter({ hasText: 'Running Bash sleep 3' })
    await step.waitFor({ timeout: 30_000 })
    const elapsed = page.getByTestId('elapsed')
    const first = await elapsed.textContent()
    expect(first).toMatch(/^0:\d\d$/)
    await expect.poll(() => elapsed.textContent(), { timeout: 5_000 }).not.toBe(first)
    await view.shot('50-activity-line')
    await page.getByTestId('assistant-message').filter({ hasText: 'Slept.' }).waitFor({ timeout: 90_000 })
    await page.getByTestId('working').waitFor({ state: 'detached' })
  })

  it("shows the session's usage so far and how full the context is", async () => {
    const meter = page.getByTestId('usage-meter')
    expect(await meter.getByTestId('usage-total').textContent()).toMatch(/^\$[\d.]+ · [\d.,k]+ tokens$/)
    const context = meter.getByTestId('context-meter')
    // What the turn's closing status says: the last model call's input of Claude Code's context window.
    const { events } = (await (await fetch(`${view.server.url}/agent/sessions/keys-1/events`)).json()) as {
      events: { type: string; data?: { turn?: { contextTokens?: number; contextWindow?: number } } }[]
    }
    const turn = events.findLast((e) => e.type === 'status' && e.data?.turn !== undefined)?.data?.turn
    expect(turn?.contextTokens).toBeGreaterThan(1000)
    expect(turn?.contextWindow).toBeGreaterThan(turn?.contextTokens ?? 0)
    const share = Math.round(((turn?.contextTokens ?? 0) / (turn?.contextWindow ?? 1)) * 100)
    expect(await context.textContent()).toBe(`${share}%`)
    expect(await context.getAttribute('title')).toMatch(/last read [\d.,k]+ of [\d.]+[kM] tokens/)
    await view.shot('51-usage-meter')
  })

  it('opens the shortcuts sheet with Ctrl+/ and ?, and closes it with Esc', async () => {
    await page.locator('body').click({ position: { x: 5, y: 300 } })
    await page.keyboard.press('Control+/')
    const sheet = page.getByRole('dialog', { name: 'Keyboard shortcuts' })
    await sheet.waitFor()
    expect(await sheet.getByRole('row').count()).toBe(10)
    await view.shot('52-shortcut-sheet')
    await page.keyboard.press('Escape')
    await sheet.waitFor({ state: 'hidden' })
    await page.keyboard.press('?')
    await sheet.waitFor()
    await sheet.getByRole('button', { name: 'Close' }).press('Enter')
    await sheet.waitFor({ state: 'hidden' })
  })

  it('focuses the message box, copies the last code block and stops a turn from the keyboard', async () => {
    await page.keyboard.press('Shift+Escape')
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('message')
    await turn(page, 'code please', 'Use:')
    await page.keyboard.press('Control+Shift+Semicolon')
    await page.getByText('Copied the last code block.').waitFor()
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe('console.log("last block")')
    await send(page, 'wait forever')
    await page.getByTestId('working').waitFor()
    await page.getByLabel('Message', { exact: true }).press('Escape')
    await page.locator('.turn-end .interrupted').last().waitFor({ timeout: 30_000 })
    await page.getByTestId('working').waitFor({ state: 'detached' })
  })

  it('makes a new session and moves between sessions with the keyboard', async () => {
    await page.keyboard.press('Control+Shift+KeyO')
    await expect.poll(sessionInUrl).not.toBe('keys-1')
    const fresh = sessionInUrl()
    expect(await page.getByTestId('user-message').count()).toBe(0)
    await page.keyboard.press('Alt+ArrowDown')
    await expect.poll(sessionInUrl).toBe('keys-1')
    await page.getByTestId('user-message').filter({ hasText: 'slow please' }).waitFor()
    await page.keyboard.press('Alt+ArrowUp')
    await expect.poll(sessionInUrl).toBe(fresh)
  })

  it('searches the sessions by what was said in them, from Ctrl+K', async () => {
    // Right after a switch: the new session's message box must not take the keyboard from the search box.
    await page.keyboard.press('Alt+ArrowDown')
    await page.keyboard.press('Control+K')
    const box = page.getByLabel('Search sessions')
    await expect.poll(() => box.evaluate((el) => el === document.activeElement)).toBe(true)
    await box.pressSequentially('LAST block')
    const results = page.getByTestId('search-results')
    await results.locator('[data-session-id="keys-1"]').waitFor()
    expect(await results.locator('li').count()).toBe(1)
    expect(await results.locator('.search-snippet').textContent()).toContain('console.log("last block")')
    await view.shot('53-search')
    await results.locator('[data-session-id="keys-1"]').click()
    await expect.poll(sessionInUrl).toBe('keys-1')
    await box.fill('nothing like this')
    await page.getByText('No session mentions that.').waitFor()
    await box.press('Escape')
    expect(await box.inputValue()).toBe('')
    await page.getByRole('navigation', { name: 'Sessions' }).locator('[data-session-id="keys-1"]').waitFor()
    expect(view.errors).toEqual([])
  })
})
