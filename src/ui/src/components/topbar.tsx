/** The bar above everything: panels' toggles, the session's title and usage, the model, the connection, help. */
import type { SessionUsage } from '../conversation'
import type { ModelOption } from '../models'
import type { ConnectionState } from '../session-socket'
import type { Overlay } from '../use-overlays'
import { ConnectionBadge, ModelSelect, UsageMeter } from './header-bits'
import { Icon } from './icons'

export function Topbar(props: {
  title: string
  overlay: Overlay
  onOverlay(overlay: Overlay): void
  usage: SessionUsage
  model: string
  options: ModelOption[]
  onModel(model: string): void
  connection: ConnectionState
  onRetry(): void
  onHelp(): void
}) {
  const toggle = (which: Overlay) => props.onOverlay(props.overlay === which ? undefined : which)
  return (
    <header class="topbar">
      <button
        type="button"
        class="icon-btn only-narrow"
        aria-label="Sessions"
        aria-expanded={props.overlay === 'sessions'}
        onClick={() => toggle('sessions')}
      >
        <Icon name="menu" size={18} />
      </button>
      <h1 class="title" title={props.title}>
        {props.title}
      </h1>
      <UsageMeter usage={props.usage} />
      <ModelSelect value={props.model} options={props.options} onChange={props.onModel} />
      <ConnectionBadge state={props.connection} onRetry={props.onRetry} />
      <button
        type="button"
        class="icon-btn only-wide"
        aria-label="Keyboard shortcuts"
        title="Keyboard shortcuts (Ctrl+/ or ?)"
        aria-haspopup="dialog"
        onClick={props.onHelp}
      >
        <kbd>?</kbd>
      </button>
      <button
        type="button"
        class="icon-btn only-medium"
        aria-label="Workspace files"
        aria-expanded={props.overlay === 'workspace'}
        onClick={() => toggle('workspace')}
      >
        <Icon name="folder" size={18} />
      </button>
    </header>
  )
}
