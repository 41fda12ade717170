/**
 * The keyboard shortcuts sheet: a modal dialog (the browser keeps focus in it and closes it with Esc or Close).
 * Each new `asked` opens it; closing is the dialog's own, so no state can lag behind the browser's.
 */
import { useEffect, useRef } from 'preact/hooks'
import { isMac, SHORTCUTS } from '../shortcuts'

export function ShortcutHelp({ asked }: { asked: number }) {
  const dialog = useRef<HTMLDialogElement>(null)
  useEffect(() => {
    const d = dialog.current
    if (d !== null && asked > 0 && !d.open) d.showModal()
  }, [asked])
  const mod = isMac() ? '⌘' : 'Ctrl'
  return (
    <dialog ref={dialog} class="shortcut-help" aria-labelledby="shortcut-title">
      <h2 id="shortcut-title">Keyboard shortcuts</h2>
      <table>
        <tbody>
          {SHORTCUTS.map((s) => (
            <tr key={s.id}>
              <td class="keys">
                {s.keys.map((k, i) => (
                  <span key={k}>
                    {i > 0 && ' + '}
                    <kbd>{k === 'Mod' ? mod : k}</kbd>
                  </span>
                ))}
              </td>
              <td>{s.does}</td>
            </tr>
          ))}
          <tr>
            <td class="keys">
              <kbd>Enter</kbd> · <kbd>Shift</kbd> + <kbd>Enter</kbd>
            </td>
            <td>Send · new line</td>
          </tr>
          <tr>
            <td class="keys">
              <kbd>Tab</kbd>
            </td>
            <td>Move between everything on the page</td>
          </tr>
        </tbody>
      </table>
      <form method="dialog" class="sheet-actions">
        <button type="submit" class="btn">
          Close
        </button>
      </form>
    </dialog>
  )
}
