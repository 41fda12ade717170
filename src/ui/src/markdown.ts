/**
 * Assistant text as sanitized HTML: `marked` renders GitHub-flavoured markdown, code blocks are highlighted,
 * and DOMPurify removes anything that could run script. Results are cached by text, so re-rendering a long
 * conversation while one message streams costs nothing for the others.
 */
import DOMPurify from 'dompurify'
import { Marked } from 'marked'
import { escapeHtml, highlightCode } from './highlight'

const marked = new Marked({
  gfm: true,
  breaks: false,
  renderer: {
    code({ text, lang }) {
      const language = (lang ?? '').trim().split(/\s+/)[0] || undefined
      const label = language ? `<div class="code-lang">${escapeHtml(language)}</div>` : ''
      return `<div class="code-block">${label}<pre class="code"><code class="hljs">${highlightCode(text, language)}</code></pre></div>`
    },
  },
})

DOMPurify.addHook('afterSanitizeAttributes', (node) => {
  if (node.tagName === 'A') {
    node.setAttribute('target', '_blank')
    node.setAttribute('rel', 'noopener noreferrer')
  }
})

const cache = new Map<string, string>()

/** `remember: false` for text that is still streaming, so partial versions do not push out finished ones. */
export function renderMarkdown(text: string, remember = true): string {
  const hit = cache.get(text)
  if (hit !== undefined) return hit
  const html = DOMPurify.sanitize(marked.parse(text, { async: false }), {
    FORBID_TAGS: ['style', 'form', 'input', 'button', 'textarea', 'select'],
    FORBID_ATTR: ['style'],
  })
  if (!remember) return html
  if (cache.size > 500) cache.delete(cache.keys().next().value as string)
  cache.set(text, html)
  return html
}
