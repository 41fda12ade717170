/**
 * Files in and out of a session's workspace from the browser, against the whole system: upload with the
 * button (and the 25 MB limit said plainly), open, copy and download a file, download the workspace as a zip.
 * Screenshots go to test-artifacts/browser/.
 */
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { unzipSync } from 'fflate'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { tempDir } from '../e2e/helpers.js'
import { openSystem, type SystemPage, turn } from '../fixtures/browser-page.js'

const SESSION = 'transfer'
const dir = tempDir('ar-transfer-browser-')
const workspace = join(dir.path, 'data', 'sessions', SESSION, 'workspace')

let page: Page
let view: SystemPage

beforeAll(async () => {
  view = await openSystem(dir, SESSION, () => ({ text: 'Ready for files.' }))
  page = view.page
}, 120_000)

afterAll(() => view?.close())

const panel = () => page.getByRole('complementary', { name: 'Workspace' })

describe('workspace uploads and downloads', { timeout: 120_000 }, () => {
  it('offers upload only once the session has started, then uploads into the workspace', async () => {
    expect(await panel().getByRole('button', { name: 'Upload files' }).isDisabled()).toBe(true)
    await turn(page, 'hello', 'Ready for files.')
    await panel().getByRole('button', { name: 'Upload files' }).waitFor()
    await expect.poll(() => panel().getByRole('button', { name: 'Upload files' }).isEnabled()).toBe(true)
    await panel()
      .getByTestId('upload-input')
      .setInputFiles([
        { name: 'data.csv', mimeType: 'text/csv', buffer: Buffer.from('a,b\n1,2\n') },
        { name: 'notes ü.txt', mimeType: 'text/plain', buffer: Buffer.from('unicode name\n') },
      ])
    await panel().getByTestId('transfer-status').filter({ hasText: 'Uploaded 2 files' }).waitFor()
    expect(readFileSync(join(workspace, 'data.csv'), 'utf8')).toBe('a,b\n1,2\n')
    expect(readFileSync(join(workspace, 'notes ü.txt'), 'utf8')).toBe('unicode name\n')
    await panel().locator('.tree-file', { hasText: 'data.csv' }).click()
    await page.getByTestId('viewer-code').filter({ hasText: '1,2' }).waitFor()
    await view.shot('40-uploaded')
  })

  it('asks before an upload replaces a file that is there, and keeps it when told to', async () => {
    const input = panel().getByTestId('upload-input')
    const status = panel().getByTestId('transfer-status')
    page.once('dialog', (d) => void d.dismiss())
    await input.setInputFiles({ name: 'data.csv', mimeType: 'text/csv', buffer: Buffer.from('new\n') })
    await status.filter({ hasText: 'Uploaded 0 files; kept data.csv as it was' }).waitFor()
    expect(readFileSync(join(workspace, 'data.csv'), 'utf8')).toBe('a,b\n1,2\n')
    let asked = ''
    page.once('dialog', (d) => {
      asked = d.message()
      void d.accept()
    })
    await input.setInputFiles({ name: 'data.csv', mimeType: 'text/csv', buffer: Buffer.from('c,d\n3,4\n') })
    await status.filter({ hasText: 'Uploaded 1 file' }).waitFor()
    expect(asked).toBe('data.csv is already in the workspace. Replace it?')
    expect(readFileSync(join(workspace, 'data.csv'), 'utf8')).toBe('c,d\n3,4\n')
  })

  it('says plainly that a file over 25 MB is too large, and writes nothing', async () => {
    // Made in the page: handing 26 MB to the browser from here takes longer than the check itself.
    await panel()
      .getByTestId('upload-input')
      .evaluate((input: HTMLInputElement) => {
        const files = new DataTransfer()
        files.items.add(new File([new ArrayBuffer(26 << 20)], 'huge.bin'))
        input.files = files.files
        input.dispatchEvent(new Event('change', { bubbles: true }))
      })
    const status = panel().getByTestId('transfer-status')
    await status.filter({ hasText: 'limited to 25 MB' }).waitFor()
    expect(await status.getAttribute('role')).toBe('alert')
    expect(existsSync(join(workspace, 'huge.bin'))).toBe(false)
    await view.shot('41-upload-too-large')
  })

  it('copies and downloads the open file, and downloads the workspace as a zip', async () => {
    // The open file shows what replaced it.
    await page.getByTestId('viewer-code').filter({ hasText: 'c,d' }).waitFor()
    await page.getByRole('button', { name: 'Copy the file' }).click()
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe('c,d\n3,4\n')
    const [one] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download data.csv' }).click(),
    ])
    expect(one.suggestedFilename()).toBe('data.csv')
    expect(readFileSync((await one.path())!, 'utf8')).toBe('c,d\n3,4\n')
    const [all] = await Promise.all([
      page.waitForEvent('download'),
      panel().getByRole('button', { name: 'Download the workspace as a zip' }).click(),
    ])
    expect(all.suggestedFilename()).toBe(`${SESSION}-workspace.zip`)
    const files = unzipSync(readFileSync((await all.path())!))
    expect(Object.keys(files).sort()).toEqual(['data.csv', 'notes ü.txt'])
    expect(view.errors).toEqual([])
  })
})
