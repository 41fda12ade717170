/**
 * A small "Copy" button that says "Copied" for a moment. The clipboard API needs a secure context (https or
 * localhost); elsewhere (a LAN address over http) the text is copied through a hidden text area.
 */
import { useEffect, useState } from 'preact/hooks'
import { Icon } from './icons'

export async function copyText(text: string): Promise<void> {
  if (window.isSecureContext && navigator.clipboard !== undefined) {
    await navigator.clipboard.writeText(text)
    return
  }
  const area = document.createElement('textarea')
  area.value = text
  area.setAttribute('readonly', '')
  area.style.position = 'fixed'
  area.style.opacity = '0'
  document.body.append(area)
  area.select()
  const ok = document.execCommand('copy')
  area.remove()
  if (!ok) throw new Error('the browser refused to copy')
}

export function CopyButton({
  text,
  label = 'Copy',
  what,
  iconOnly = false,
}: {
  /** The text, or a function giving it when clicked (for large text). */
  text: string | (() => string)
  label?: string
  /** What is copied, for screen readers: "Copy the command". */
  what?: string
  /** Only the icon (where the button's text would be read as part of the content, as in a message). */
  iconOnly?: boolean
}) {
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle')
  useEffect(() => {
    if (state === 'idle') return
    const t = setTimeout(() => setState('idle'), 1500)
    return () => clearTimeout(t)
  }, [state])
  return (
    <button
      type="button"
      class="copy-btn"
      data-state={state}
      aria-label={state === 'copied' ? 'Copied' : what ? `Copy ${what}` : label}
      title={state === 'copied' ? 'Copied' : what ? `Copy ${what}` : label}
      onClick={(e) => {
        e.preventDefault()
        e.stopPropagation()
        copyText(typeof text === 'function' ? text() : text).then(
          () => setState('copied'),
          () => setState('failed'),
        )
      }}
    >
      <Icon name={state === 'copied' ? 'check' : 'copy'} size={13} />
      {!iconOnly && <span>{state === 'copied' ? 'Copied' : state === 'failed' ? 'Copy failed' : label}</span>}
    </button>
  )
}
