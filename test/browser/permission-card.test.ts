/**
 * The permission card in a real browser (Debian's chromium through playwright-core) against the whole system
 * with real Claude Code in PERMISSION_MODE=default: a command shown as a command, a Write and an Edit shown as
 * the diff they would make, "always allow" a command prefix, deny with a reason the agent reads, focus and the
 * keyboard, and a prompt waiting in another session shown in the sidebar and the tab title. Screenshots go to
 * test-artifacts/browser/.
 */
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { tempDir } from '../e2e/helpers.js'
import { openSystem, type SystemPage, send } from '../fixtures/browser-page.js'
import {
  endsWithToolResult,
  isAgentRequest,
  lastUserText,
  type RecordedRequest,
  type ScriptedTurn,
} from '../fixtures/scripted-model-server.js'

const SESSION = 'perm-card'
const OTHER = 'perm-other'
const dir = tempDir('ar-perm-browser-')
const workspace = (id: string) => join(dir.path, 'data', 'sessions', id, 'workspace')

let view: SystemPage
let page: Page

const card = () => page.locator('[data-testid="permission"][data-answer="waiting"]')

async function turnDone(): Promise<void> {
  await page.getByTestId('working').waitFor({ state: 'detached', timeout: 90_000 })
}

/** `run <session> <command>`: a Bash call; `write <session>`, `edit <session>`: notes.md written, then edited. */
function respond(request: RecordedRequest): ScriptedTurn {
  if (!isAgentRequest(request)) return { text: 'Permission card' }
  if (endsWithToolResult(request)) return { text: 'Done.' }
  const said = lastUserText(request)
  const [verb, session = SESSION, ...rest] = said.split(' ')
  const file = join(workspace(session), 'notes.md')
  if (verb === 'run')
    return {
      toolCalls: [{ name: 'Bash', arguments: { command: rest.join(' '), description: 'Run it' } }],
    }
  if (verb === 'write')
    return {
      toolCalls: [
        {
          name: 'Write',
          arguments: { file_path: file, content: '# Notes\n\nfirst line\nsecond line\n' },
        },
      ],
    }
  if (verb === 'edit')
    return {
      toolCalls: [
        {
          name: 'Edit',
          arguments: {
            file_path: file,
            old_string: 'second line',
            new_string: 'the second line, edited',
          },
        },
      ],
    }
  return { text: `You said: ${said}` }
}

beforeAll(async () => {
  view = await openSystem(dir, SESSION, respond, { PERMISSION_MODE: 'default' })
  page = view.page
}, 120_000)

afterAll(() => view?.close())

describe('permission card', { timeout: 120_000 }, () => {
  it('shows a command as a command, takes focus, and "always allow" its prefix runs the next one unasked', async () => {
    await send(page, `run ${SESSION} node -e "console.log(40 + 2)"`)
    await card().waitFor({ timeout: 90_000 })
    expect(await card().getByTestId('permission-command').textContent()).toBe('node -e "console.log(40 + 2)"')
    expect(await card().textContent()).toContain('The agent asks to run a command')
    expect(await card().evaluate((el) => el === document.activeElement)).toBe(true)
    const always = card().getByRole('button', { name: 'Always allow node' })
    await view.shot('20-permission-command')
    await always.click()
    const settled = page.locator('[data-testid="permission"][data-answer="allowed"]')
    await settled.first().waitFor()
    expect(await settled.first().textContent()).toContain('always allowing `node`')
    await turnDone()

    await send(page, `run ${SESSION} node -e "console.log(6 * 7)"`)
    await page.getByText('Allowed by rule').waitFor({ timeout: 90_000 })
    await turnDone()
    expect(await card().count()).toBe(0)
    await view.shot('21-allowed-by-rule')
  })

  it('shows the diff a Write would make, and Enter on the focused card allows it once', async () => {
    await send(page, `write ${SESSION}`)
    await card().waitFor({ timeout: 90_000 })
    const diff = card().getByTestId('permission-diff')
    await diff.waitFor()
    expect(await card().textContent()).toContain('The agent asks to write notes.md')
    expect(await card().textContent()).toContain('New file')
    expect(await diff.locator('.diff-add').count()).toBe(4)
    await view.shot('22-permission-write-diff')
    await page.keyboard.press('Enter')
    await page.locator('[data-testid="permission"][data-answer="allowed"]').last().waitFor()
    await turnDone()
    expect(existsSync(join(workspace(SESSION), 'notes.md'))).toBe(true)
  })

  it('shows the diff an Edit would make, and a denial sends its reason to the agent', async () => {
    await send(page, `edit ${SESSION}`)
    await card().waitFor({ timeout: 90_000 })
    const diff = card().getByTestId('permission-diff')
    expect(await diff.locator('.diff-del').textContent()).toContain('second line')
    expect(await diff.locator('.diff-add').textContent()).toContain('the second line, edited')
    // No "always allow" without asking for it: Edit offers the tool rule.
    await card().getByRole('button', { name: 'Always allow Edit in this session' }).waitFor()
    await page.keyboard.press('Escape')
    const reason = card().getByLabel(/Reason for denying/)
    expect(await reason.evaluate((el) => el === document.activeElement)).toBe(true)
    await reason.fill('keep the wording')
    await view.shot('23-permission-edit-diff')
    const before = view.scripted.requests.length
    await card().getByRole('button', { name: 'Deny' }).click()
    const denied = page.locator('[data-testid="permission"][data-answer="denied"]')
    await denied.waitFor()
    expect(await denied.textContent()).toContain('keep the wording')
    await turnDone()
    const sent = view.scripted.requests.slice(before).map((r) => JSON.stringify(r.body.messages))
    expect(sent.some((m) => m.includes('The user denied this tool call: keep the wording'))).toBe(true)
    await view.shot('24-permission-denied')
  })

  it('shows a prompt waiting in another session in the sidebar and the tab title', async () => {
    // Not awaited: the answer comes when the turn ends, after its prompt is answered.
    void fetch(`${view.server.url}/agent/message`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ sessionId: OTHER, message: `run ${OTHER} npm --version` }),
    }).catch(() => undefined)
    const row = page.locator('.session', { has: page.locator(`[data-session-id="${OTHER}"]`) })
    await row.getByTestId('waiting-badge').waitFor({ timeout: 90_000 })
    expect(await row.getByTestId('waiting-badge').textContent()).toContain('1')
    await expect.poll(() => page.title()).toMatch(/^\(1\) Approval needed — /)
    await view.shot('25-waiting-in-other-session')
    await row.locator('[data-session-id]').click()
    await card().waitFor()
    await card().getByRole('button', { name: 'Allow once' }).click()
    await row.getByTestId('waiting-badge').waitFor({ state: 'detached', timeout: 10_000 })
    await expect.poll(() => page.title()).not.toMatch(/Approval needed/)
    expect(view.errors).toEqual([])
  })
})
