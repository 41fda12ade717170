/**
 * Rendered markdown (assistant text, a subagent's answer) with a Copy button on every code block. The HTML is
 * sanitized and may not hold buttons, so the buttons are added to the rendered blocks afterwards.
 */
import { useLayoutEffect, useRef } from 'preact/hooks'
import { renderMarkdown } from '../markdown'
import { copyText } from './copy-button'

function addCopyButtons(root: HTMLElement): void {
  for (const block of root.querySelectorAll<HTMLElement>('.code-block')) {
    if (block.querySelector(':scope > .copy-btn')) continue
    const button = document.createElement('button')
    button.type = 'button'
    button.className = 'copy-btn copy-code'
    button.textContent = 'Copy'
    button.setAttribute('aria-label', 'Copy the code')
    button.addEventListener('click', () => {
      const code = block.querySelector('code')?.textContent ?? ''
      copyText(code).then(
        () => (button.textContent = 'Copied'),
        () => (button.textContent = 'Copy failed'),
      )
      setTimeout(() => (button.textContent = 'Copy'), 1500)
    })
    block.prepend(button)
  }
}

/** Copies the conversation's last code block; false when there is none. */
export async function copyLastCodeBlock(): Promise<boolean> {
  const blocks = document.querySelectorAll('.conversation .code-block code')
  const code = blocks[blocks.length - 1]?.textContent
  if (code === undefined || code === null) return false
  await copyText(code)
  return true
}

export function Markdown({ text, streaming = false }: { text: string; streaming?: boolean }) {
  const root = useRef<HTMLDivElement>(null)
  const html = renderMarkdown(text, !streaming)
  useLayoutEffect(() => {
    if (root.current && !streaming) addCopyButtons(root.current)
  }, [html, streaming])
  return <div class="markdown" ref={root} dangerouslySetInnerHTML={{ __html: html }} />
}
