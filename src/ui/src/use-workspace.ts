/** The open session's workspace files and the file open in the viewer, refreshed as the agent changes them. */

import { useCallback, useEffect, useRef, useState } from 'preact/hooks'
import { ApiError, type FileContent, listFiles, readFile, type WorkspaceFile } from './api'
import { errorText } from './format'

export interface Workspace {
  files: WorkspaceFile[] | undefined
  error: string | undefined
  openPath: string | undefined
  openFile: FileContent | undefined
  openError: string | undefined
  refresh(): void
  /** Refreshes now, or soon when it just did: bursts are coalesced (a turn may change many files). */
  refreshSoon(changedPath?: string): void
  open(path: string): void
  close(): void
}

export function useWorkspace(sessionId: string, exists: boolean): Workspace {
  const [files, setFiles] = useState<WorkspaceFile[] | undefined>(undefined)
  const [error, setError] = useState<string | undefined>(undefined)
  const [openPath, setOpenPath] = useState<string | undefined>(undefined)
  const [openFile, setOpenFile] = useState<FileContent | undefined>(undefined)
  const [openError, setOpenError] = useState<string | undefined>(undefined)
  const current = useRef({ sessionId, openPath })
  current.current = { sessionId, openPath }
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined)
  const lastRefresh = useRef(0)
  const reopen = useRef(false)

  const loadFile = useCallback(async (id: string, path: string) => {
    try {
      const file = await readFile(id, path)
      if (current.current.sessionId === id && current.current.openPath === path) {
        setOpenFile(file)
        setOpenError(undefined)
      }
    } catch (e) {
      if (current.current.sessionId !== id || current.current.openPath !== path) return
      setOpenFile(undefined)
      setOpenError(
        e instanceof ApiError && e.status === 404 ? `${path} is not in the workspace (any more).` : String(e),
      )
    }
  }, [])

  const refresh = useCallback(async () => {
    const id = current.current.sessionId
    try {
      const list = await listFiles(id)
      if (current.current.sessionId !== id) return
      setFiles(list)
      setError(undefined)
    } catch (e) {
      if (current.current.sessionId !== id) return
      if (e instanceof ApiError && e.status === 404) {
        setFiles([])
        setError(undefined)
      } else setError(errorText(e))
    }
    const open = current.current.openPath
    if (reopen.current && open !== undefined) {
      reopen.current = false
      await loadFile(id, open)
    }
  }, [loadFile])

  useEffect(() => {
    setFiles(exists ? undefined : [])
    setError(undefined)
    setOpenPath(undefined)
    setOpenFile(undefined)
    setOpenError(undefined)
    if (exists) void refresh()
  }, [sessionId, exists, refresh])

  const refreshSoon = useCallback(
    (changedPath?: string) => {
      if (changedPath !== undefined && changedPath === current.current.openPath) reopen.current = true
      // The first change shows at once; a burst after it is coalesced into one refresh per 250 ms.
      clearTimeout(timer.current)
      const wait = Math.max(0, lastRefresh.current + 250 - Date.now())
      timer.current = setTimeout(() => {
        lastRefresh.current = Date.now()
        void refresh()
      }, wait)
    },
    [refresh],
  )

  const open = useCallback(
    (path: string) => {
      setOpenPath(path)
      setOpenFile(undefined)
      setOpenError(undefined)
      current.current.openPath = path
      void loadFile(current.current.sessionId, path)
    },
    [loadFile],
  )

  const close = useCallback(() => {
    setOpenPath(undefined)
    setOpenFile(undefined)
    setOpenError(undefined)
  }, [])

  return { files, error, openPath, openFile, openError, refresh, refreshSoon, open, close }
}
