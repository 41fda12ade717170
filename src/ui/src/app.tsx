/**
 * The whole page: sessions sidebar, conversation with composer, workspace panel, header and banners. Each
 * session opened is a browser history entry (`?session=<id>`), so Back and Forward switch sessions and a
 * reload stays on the session.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks'
import { turnStartedAt } from './activity'
import * as api from './api'
import { Composer } from './components/composer'
import { ConversationView } from './components/conversation-view'
import { WarningBanner } from './components/header-bits'
import { type PermissionAnswer, WorkspaceFileReader } from './components/permission-card'
import { ShortcutHelp } from './components/shortcut-help'
import { Sidebar, sidebarList } from './components/sidebar'
import { Topbar } from './components/topbar'
import { WorkspacePanel } from './components/workspace-panel'
import { buildConversation, changedFiles, sessionUsage, waitingPrompts } from './conversation'
import { lastTurnEdits } from './file-history'
import { errorText, newSessionId } from './format'
import { chooseModel, forgetModel, modelOptions, saveModel } from './models'
import type { WireEvent } from './session-socket'
import { initialSession, sessionInUrl, showSessionInUrl } from './session-url'
import { useOverlays, usePageShortcuts } from './use-overlays'
import { forgetFeed, useSessionFeed } from './use-session-feed'
import { useWaitingPrompts } from './use-waiting-prompts'
import { useWorkspace } from './use-workspace'

export function App() {
  const [sessionId, setSessionId] = useState(initialSession)
  const [sessions, setSessions] = useState<api.SessionSummary[] | undefined>(undefined)
  const [sessionsError, setSessionsError] = useState<string | undefined>(undefined)
  const [drafts, setDrafts] = useState<string[]>([])
  const [info, setInfo] = useState<api.ServerInfo | undefined>(undefined)
  const [routerModels, setRouterModels] = useState<{ ids: string[]; wildcards: string[] }>({
    ids: [],
    wildcards: [],
  })
  const [modelChoice, setModelChoice] = useState<Record<string, string>>({})
  const [pending, setPending] = useState<string[]>([])
  const [notice, setNotice] = useState<string | undefined>(undefined)
  const [bannerHidden, setBannerHidden] = useState(false)
  const overlays = useOverlays()
  const { overlay, setOverlay } = overlays
  /** Queued messages this tab asked to cancel, by seq, until the server confirms. */
  const [withdrawing, setWithdrawing] = useState<ReadonlySet<number>>(new Set())
  /** Of those, the ones taken back to edit: their text goes back in the box once cancelled. */
  const toEdit = useRef(new Map<number, string>())
  const [restore, setRestore] = useState<{ id: number; text: string } | undefined>(undefined)

  const summary = sessions?.find((s) => s.id === sessionId)
  const workspace = useWorkspace(sessionId, summary !== undefined)
  const refreshTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined)

  const loadSessions = useCallback(async () => {
    try {
      setSessions(await api.listSessions())
      setSessionsError(undefined)
    } catch (e) {
      setSessionsError(errorText(e))
    }
  }, [])
  const loadSessionsSoon = useCallback(() => {
    clearTimeout(refreshTimer.current)
    refreshTimer.current = setTimeout(() => void loadSessions(), 200)
  }, [loadSessions])

  const loadInfo = useCallback(async () => {
    api.serverInfo().then(setInfo, () => undefined)
    api.agentModels().then(setRouterModels, () => undefined)
  }, [])

  useEffect(() => {
    void loadSessions()
    void loadInfo()
    const t = setInterval(() => void loadSessions(), 30_000)
    return () => clearInterval(t)
  }, [loadSessions, loadInfo])

  useEffect(() => {
    showSessionInUrl(sessionId, 'replace')
    setPending([])
    setNotice(undefined)
    setWithdrawing(new Set())
    toEdit.current.clear()
    setRestore(undefined)
  }, [sessionId])

  useEffect(() => {
    const onBackOrForward = () => {
      const id = sessionInUrl()
      if (id !== undefined) setSessionId(id)
      setOverlay(undefined)
    }
    window.addEventListener('popstate', onBackOrForward)
    return () => window.removeEventListener('popstate', onBackOrForward)
  }, [])

  const onEvent = useCallback(
    (event: WireEvent) => {
      if (event.type === 'user_message') {
        setPending((p) => {
          const i = p.indexOf(event.content ?? '')
          return i === -1 ? p : [...p.slice(0, i), ...p.slice(i + 1)]
        })
        loadSessionsSoon()
      } else if (event.type === 'message_cancelled') {
        const seq = (event.data as { seq?: unknown } | undefined)?.seq
        if (typeof seq !== 'number') return
        const text = toEdit.current.get(seq)
        if (text !== undefined) setRestore({ id: seq, text })
        toEdit.current.delete(seq)
        setWithdrawing((w) => new Set([...w].filter((s) => s !== seq)))
      } else if (event.type === 'error' && event.seq === undefined) {
        // The server refused a frame we sent; the refused message will not be echoed.
        setPending([])
        setWithdrawing(new Set())
        toEdit.current.clear()
      } else if (event.type === 'file_change') {
        const data = event.data as { path?: unknown } | undefined
        workspace.refreshSoon(typeof data?.path === 'string' ? data.path : undefined)
      } else if (event.type === 'status' && event.seq !== undefined) {
        loadSessionsSoon()
        workspace.refreshSoon()
      } else if (event.type === 'status' && typeof (event.data as { title?: unknown })?.title === 'string') {
        loadSessionsSoon() // The session was given a title.
      }
    },
    [loadSessionsSoon, workspace.refreshSoon],
  )
  const { feed, connection, send, retryNow } = useSessionFeed(sessionId, onEvent)

  // After a reconnect (maybe a server restart) the lists may be stale.
  const wasOpen = useRef(false)
  useEffect(() => {
    if (connection.kind === 'open' && !wasOpen.current) {
      void loadSessions()
      void loadInfo()
    }
    wasOpen.current = connection.kind === 'open'
  }, [connection.kind, loadSessions, loadInfo])

  const items = useMemo(() => buildConversation(feed.events), [feed.events, feed.version])
  const changed = useMemo(() => changedFiles(feed.events), [feed.events, feed.version])
  const usage = useMemo(() => sessionUsage(items), [items])
  const openPath = workspace.openPath
  const openEdits = useMemo(() => (openPath ? lastTurnEdits(items, openPath) : []), [items, openPath])
  const startedAt = useMemo(() => turnStartedAt(feed.events), [feed.events, feed.version])

  const model =
    modelChoice[sessionId] ??
    chooseModel(sessionId, summary?.preferredModel, feed.status?.model ?? info?.defaultModel)
  const options = useMemo(
    () => modelOptions(routerModels.ids, [model, info?.defaultModel], routerModels.wildcards),
    [routerModels, model, info?.defaultModel],
  )
  const running = feed.status?.isRunning === true
  const queued = items.filter((i) => i.kind === 'queued').length
  const firstUser = items.find((i) => i.kind === 'user')
  // The feed has replayed once its status has come; until then, or until the list has come, an empty
  // session and one still loading look alike, so say nothing rather than "New session".
  const feedLoaded = feed.status !== undefined
  const title =
    summary?.title ||
    (firstUser?.kind === 'user' ? firstUser.text.slice(0, 60) : '') ||
    (sessions !== undefined || feedLoaded ? 'New session' : '')

  const waitingHere = useMemo(() => waitingPrompts(items), [items])
  const waiting = useWaitingPrompts(
    sessionId,
    waitingHere,
    (id) => sessions?.find((s) => s.id === id)?.title || (id === sessionId ? title : id),
  )
  const waitingTotal = [...waiting.values()].reduce((a, b) => a + b, 0)
  // A prompt in a session the list does not have yet (started elsewhere): fetch the list again.
  useEffect(() => {
    if (sessions !== undefined && [...waiting.keys()].some((id) => !sessions.some((s) => s.id === id)))
      loadSessionsSoon()
  }, [waiting, sessions, loadSessionsSoon])

  useEffect(() => {
    document.title =
      waitingTotal > 0
        ? `(${waitingTotal}) Approval needed — ${title} · agent-router`
        : `${running ? '● ' : ''}${title} · agent-router`
  }, [running, title, waitingTotal])

  const readWorkspaceFile = useCallback(
    (path: string) =>
      api.readFile(sessionId, path).then(
        (file) => (file.binary || file.truncated ? undefined : file.content),
        (e) => (e instanceof api.ApiError && e.status === 404 ? undefined : Promise.reject(e)),
      ),
    [sessionId],
  )

  const sidebarSessions = useMemo(
    () =>
      sessions &&
      sidebarList(sessions, drafts, {
        id: sessionId,
        firstMessage: firstUser?.kind === 'user' ? firstUser.text : undefined,
        running,
      }),
    [sessions, drafts, sessionId, firstUser, running],
  )

  const select = (id: string, how: 'push' | 'replace' = 'push') => {
    showSessionInUrl(id, how)
    setSessionId(id)
    setOverlay(undefined)
  }
  const onNew = () => {
    const id = newSessionId()
    setDrafts((d) => [id, ...d.filter((x) => x !== sessionId || summary !== undefined)])
    select(id)
  }
  const onRename = async (id: string, newTitle: string) => {
    try {
      await api.renameSession(id, newTitle)
      await loadSessions()
    } catch (e) {
      setNotice(`Could not rename: ${errorText(e)}`)
    }
  }
  const onDelete = async (id: string) => {
    try {
      await api.deleteSession(id)
    } catch (e) {
      if (!(e instanceof api.ApiError && e.status === 404)) {
        setNotice(`Could not delete: ${errorText(e)}`)
        return
      }
    }
    forgetFeed(id)
    forgetModel(id)
    setDrafts((d) => d.filter((x) => x !== id))
    const rest = (sessions ?? []).filter((s) => s.id !== id)
    setSessions(rest)
    if (id === sessionId) select(rest[0]?.id ?? newSessionId(), 'replace')
  }

  const onModel = (m: string) => {
    saveModel(sessionId, m)
    setModelChoice((c) => ({ ...c, [sessionId]: m }))
  }
  const onSend = (content: string): boolean => {
    const ok = send({ type: 'user_message', content, model, timestamp: Date.now() })
    if (!ok) {
      setNotice('Not connected: your message is still in the box; send it again once connected.')
      return false
    }
    saveModel(sessionId, model)
    setDrafts((d) => d.filter((x) => x !== sessionId))
    setPending((p) => [...p, content])
    setNotice(undefined)
    return true
  }
  const onInterrupt = () => {
    if (!send({ type: 'interrupt' }))
      api.interruptSession(sessionId).catch((e) => setNotice(`Could not stop the turn: ${errorText(e)}`))
  }
  /** Cancels a queued message; with its text, to put it back in the box once the server confirms. */
  const withdraw = (seq: number, text?: string) => {
    if (!send({ type: 'cancel_queued', seq })) {
      setNotice('Not connected: the message is still queued; try again once connected.')
      return
    }
    if (text !== undefined) toEdit.current.set(seq, text)
    setWithdrawing((w) => new Set(w).add(seq))
  }
  const onAnswer = (requestId: string, answer: PermissionAnswer) => {
    if (!send({ type: 'permission_response', requestId, ...answer }))
      setNotice('Not connected: answer again once the connection is back.')
  }
  const onOpenFile = (path: string) => {
    workspace.open(path)
    setOverlay('workspace')
  }

  usePageShortcuts(
    {
      sessions: sidebarSessions,
      sessionId,
      select,
      newSession: onNew,
      running,
      interrupt: onInterrupt,
      notify: setNotice,
    },
    overlays,
  )

  const warnings = bannerHidden ? [] : (info?.warnings ?? [])
  const authProblem = sessionsError?.includes('token') ? sessionsError : undefined

  return (
    <div class="app" data-overlay={overlay ?? 'none'}>
      <Topbar
        title={title}
        overlay={overlay}
        onOverlay={setOverlay}
        usage={usage}
        model={model}
        options={options}
        onModel={onModel}
        connection={connection}
        onRetry={retryNow}
        onHelp={overlays.askHelp}
      />
      <ShortcutHelp asked={overlays.helpAsked} />
      <WarningBanner warnings={warnings} onDismiss={() => setBannerHidden(true)} />
      {authProblem && (
        <div class="banner banner-error" role="alert">
          {authProblem}
        </div>
      )}
      <div class="columns">
        <Sidebar
          sessions={sidebarSessions}
          loading={sessions === undefined && sessionsError === undefined}
          currentId={sessionId}
          waiting={waiting}
          error={authProblem ? undefined : sessionsError}
          onNew={onNew}
          onSelect={select}
          onRename={onRename}
          onDelete={onDelete}
        />
        <main class="main">
          <WorkspaceFileReader.Provider value={readWorkspaceFile}>
            <ConversationView
              items={items}
              startedAt={startedAt}
              streaming={feed.streaming}
              pending={pending}
              status={feed.status}
              loaded={feedLoaded}
              withdrawing={withdrawing}
              onOpenFile={onOpenFile}
              onAnswer={onAnswer}
              onCancelQueued={(seq) => withdraw(seq)}
              onEditQueued={withdraw}
            />
          </WorkspaceFileReader.Provider>
          {notice && (
            <p class="notice" role="alert">
              {notice}
            </p>
          )}
          <Composer
            key={sessionId}
            sessionId={sessionId}
            running={running}
            queued={queued}
            restore={restore}
            connected={connection.kind === 'open'}
            onSend={onSend}
            onInterrupt={onInterrupt}
          />
        </main>
        <WorkspacePanel
          key={sessionId}
          sessionId={sessionId}
          started={summary !== undefined}
          files={workspace.files}
          error={workspace.error}
          changed={changed}
          openPath={workspace.openPath}
          openFile={workspace.openFile}
          openError={workspace.openError}
          openEdits={openEdits}
          onOpen={workspace.open}
          onClose={workspace.close}
          onRefresh={workspace.refresh}
          onUploaded={(paths) => {
            for (const p of paths) workspace.refreshSoon(p)
          }}
        />
        {overlay && (
          <button
            type="button"
            class="scrim"
            aria-label="Close panel"
            tabIndex={-1}
            onClick={() => setOverlay(undefined)}
          />
        )}
      </div>
    </div>
  )
}
