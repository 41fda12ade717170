/**
 * The REST side of the UI: the access token (taken from `?token=` once, then kept in sessionStorage) and
 * small typed wrappers around the endpoints of DESIGN.md. Responses are narrowed by hand, not trusted.
 */

const TOKEN_KEY = 'agent-router:token'

/** Reads `?token=` from the URL into sessionStorage and removes it from the address bar. */
export function initToken(): string | undefined {
  const url = new URL(location.href)
  const fromUrl = url.searchParams.get('token')
  if (fromUrl) {
    sessionStorage.setItem(TOKEN_KEY, fromUrl)
    url.searchParams.delete('token')
    history.replaceState(history.state, '', url)
  }
  return token()
}

export function token(): string | undefined {
  return sessionStorage.getItem(TOKEN_KEY) ?? undefined
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
  ) {
    super(message)
  }
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null
const str = (v: unknown, fallback = ''): string => (typeof v === 'string' ? v : fallback)
const num = (v: unknown, fallback = 0): number => (typeof v === 'number' && Number.isFinite(v) ? v : fallback)

/** Fetches with the token; a failed answer becomes an ApiError with the server's message. */
async function send(method: string, path: string, body?: BodyInit, type?: string): Promise<Response> {
  const headers: Record<string, string> = {}
  const t = token()
  if (t) headers.authorization = `Bearer ${t}`
  if (type !== undefined) headers['content-type'] = type
  let res: Response
  try {
    res = await fetch(path, { method, headers, body })
  } catch {
    throw new ApiError(0, 'network_error', 'the server is not reachable')
  }
  if (res.ok) return res
  const payload: unknown = await res.json().catch(() => undefined)
  const err = isRecord(payload) && isRecord(payload.error) ? payload.error : {}
  const message =
    res.status === 401
      ? 'this server needs a token: open the page as /?token=<AUTH_TOKEN>'
      : str(err.message, `${method} ${path} failed with HTTP ${res.status}`)
  throw new ApiError(res.status, str(err.type, 'http_error'), message)
}

async function request(method: string, path: string, body?: unknown): Promise<unknown> {
  const res = await send(
    method,
    path,
    body === undefined ? undefined : JSON.stringify(body),
    body === undefined ? undefined : 'application/json',
  )
  if (res.status === 204) return undefined
  return res.json().catch(() => undefined)
}

export interface SessionSummary {
  id: string
  title: string
  createdAt: number
  lastActivity: number
  isRunning: boolean
  lastSeq: number
  preferredModel: string | undefined
}

function toSession(v: unknown): SessionSummary | undefined {
  if (!isRecord(v) || typeof v.id !== 'string') return undefined
  const claude = isRecord(v.claudeSession) ? v.claudeSession : {}
  return {
    id: v.id,
    title: str(v.title),
    createdAt: num(v.createdAt),
    lastActivity: num(v.lastActivity, num(v.createdAt)),
    isRunning: v.isRunning === true,
    lastSeq: num(v.lastSeq),
    preferredModel: typeof claude.preferredModel === 'string' ? claude.preferredModel : undefined,
  }
}

export async function listSessions(): Promise<SessionSummary[]> {
  const body = await request('GET', '/agent/sessions')
  const list = isRecord(body) && Array.isArray(body.sessions) ? body.sessions : []
  return list.map(toSession).filter((s): s is SessionSummary => s !== undefined)
}

export interface SessionHit extends SessionSummary {
  /** Where the search matched: the title, or a message (with the words around the match). */
  match: { in: 'title' } | { in: 'message'; seq: number; snippet: string }
}

/** Sessions whose title or messages contain `q` (any case), most recent first. */
export async function searchSessions(q: string): Promise<SessionHit[]> {
  const body = await request('GET', `/agent/sessions?q=${encodeURIComponent(q)}`)
  const list = isRecord(body) && Array.isArray(body.sessions) ? body.sessions : []
  return list.flatMap((v): SessionHit[] => {
    const session = toSession(v)
    if (session === undefined || !isRecord(v) || !isRecord(v.match)) return []
    const m = v.match
    return [
      {
        ...session,
        match:
          m.in === 'message' ? { in: 'message', seq: num(m.seq), snippet: str(m.snippet) } : { in: 'title' },
      },
    ]
  })
}

export async function renameSession(id: string, title: string): Promise<SessionSummary | undefined> {
  return toSession(await request('PATCH', `/agent/sessions/${encodeURIComponent(id)}`, { title }))
}

export async function deleteSession(id: string): Promise<void> {
  await request('DELETE', `/agent/sessions/${encodeURIComponent(id)}`)
}

export async function interruptSession(id: string): Promise<void> {
  await request('POST', `/agent/sessions/${encodeURIComponent(id)}/interrupt`)
}

export interface WorkspaceFile {
  path: string
  size: number
  mtime: number
}

export async function listFiles(id: string): Promise<WorkspaceFile[]> {
  const body = await request('GET', `/agent/sessions/${encodeURIComponent(id)}/files`)
  const list = isRecord(body) && Array.isArray(body.files) ? body.files : []
  return list
    .filter((f): f is Record<string, unknown> => isRecord(f) && typeof f.path === 'string')
    .map((f) => ({ path: str(f.path), size: num(f.size), mtime: num(f.mtime) }))
}

export interface FileContent {
  path: string
  size: number
  content: string
  truncated: boolean
  binary: boolean
}

const encodePath = (path: string) => path.split('/').map(encodeURIComponent).join('/')

export async function readFile(id: string, path: string): Promise<FileContent> {
  const body = await request('GET', `/agent/sessions/${encodeURIComponent(id)}/files/${encodePath(path)}`)
  const f = isRecord(body) ? body : {}
  return {
    path: str(f.path, path),
    size: num(f.size),
    content: str(f.content),
    truncated: f.truncated === true,
    binary: f.binary === true,
  }
}

/** Saves what a download URL answers under `name` (fetched with the token, which a plain link cannot send). */
async function saveAs(path: string, name: string): Promise<void> {
  const blob = await (await send('GET', path)).blob()
  const url = URL.createObjectURL(blob)
  const a = document.createElement('a')
  a.href = url
  a.download = name
  document.body.append(a)
  a.click()
  a.remove()
  setTimeout(() => URL.revokeObjectURL(url), 10_000)
}

export function downloadFile(id: string, path: string): Promise<void> {
  return saveAs(
    `/agent/sessions/${encodeURIComponent(id)}/download/${encodePath(path)}`,
    path.split('/').pop() ?? 'file',
  )
}

export function downloadWorkspace(id: string): Promise<void> {
  return saveAs(`/agent/sessions/${encodeURIComponent(id)}/download`, `${id}-workspace.zip`)
}

/**
 * Writes `file` into the workspace at `path` (at most 25 MB; the server says so when it is larger). A file
 * already there is an ApiError 409 unless `replace`.
 */
export async function uploadFile(
  id: string,
  path: string,
  file: Blob,
  replace = false,
): Promise<{ path: string; size: number }> {
  const res = await send(
    'PUT',
    `/agent/sessions/${encodeURIComponent(id)}/files/${encodePath(path)}${replace ? '?replace=true' : ''}`,
    file,
    'application/octet-stream',
  )
  const body: unknown = await res.json()
  const b = isRecord(body) ? body : {}
  return { path: str(b.path, path), size: num(b.size) }
}

export interface ServerInfo {
  defaultModel: string | undefined
  sandbox: { driver: string; isolated: boolean } | undefined
  providers: { name: string; configured: boolean }[]
  warnings: string[]
}

export async function serverInfo(): Promise<ServerInfo> {
  const body = await request('GET', '/agent/info')
  const b = isRecord(body) ? body : {}
  return {
    defaultModel: typeof b.defaultModel === 'string' ? b.defaultModel : undefined,
    sandbox: isRecord(b.sandbox)
      ? { driver: str(b.sandbox.driver), isolated: b.sandbox.isolated === true }
      : undefined,
    providers: Array.isArray(b.providers)
      ? b.providers.filter(isRecord).map((p) => ({ name: str(p.name), configured: p.configured === true }))
      : [],
    warnings: Array.isArray(b.warnings) ? b.warnings.filter((w): w is string => typeof w === 'string') : [],
  }
}

/** The configured providers' models and the wildcard routes that take a typed model name (`/agent/models`). */
export async function agentModels(): Promise<{ ids: string[]; wildcards: string[] }> {
  const body = await request('GET', '/agent/models')
  const b = isRecord(body) ? body : {}
  const models = Array.isArray(b.models) ? b.models.filter(isRecord) : []
  const routes = Array.isArray(b.routes) ? b.routes.filter(isRecord) : []
  return {
    ids: models.map((m) => str(m.id)).filter((id) => id !== ''),
    wildcards: routes.filter((r) => r.wildcard === true).map((r) => str(r.pattern)),
  }
}

export interface WaitingPrompt {
  sessionId: string
  requestId: string
  tool: string
}

/** Permission prompts waiting for an answer, in every session. */
export async function waitingPrompts(): Promise<WaitingPrompt[]> {
  const body = await request('GET', '/agent/permissions')
  const list = isRecord(body) && Array.isArray(body.waiting) ? body.waiting : []
  return list
    .filter((p): p is Record<string, unknown> => isRecord(p) && typeof p.sessionId === 'string')
    .map((p) => ({ sessionId: str(p.sessionId), requestId: str(p.requestId), tool: str(p.tool) }))
}
