/**
 * The fence between the router's rooms. Each folder may import only folders below it in `ORDER` (and its own
 * files); no two folders import each other, so no import runs back up. `node/` is the Node adapter: it may
 * import anything in the router, and nothing outside it imports it. Tests and `__fixtures__` are exempt.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

/** Lowest first; '' is the router's root (its public entry, the app and the core that joins the rooms). */
const ORDER = ['wire', 'config', 'usage', 'providers', 'dispatch', 'endpoints', '', 'node'] as const

const ROUTER = dirname(fileURLToPath(import.meta.url))

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) return entry.name === '__fixtures__' ? [] : sourceFiles(path)
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : []
  })
}

/** Relative import specifiers of a file (static imports, re-exports and dynamic imports). */
function relativeImports(text: string): string[] {
  return [...text.matchAll(/(?:from\s+|import\s*\(\s*|import\s+)['"](\.{1,2}\/[^'"]+)['"]/g)].map(
    (m) => m[1]!,
  )
}

/** The router-relative folder of a path: 'providers/anthropic', '' for the root; undefined outside the router. */
function folderOf(path: string): string | undefined {
  const rel = relative(ROUTER, path)
  if (rel.startsWith('..')) return undefined
  return dirname(rel) === '.' ? '' : dirname(rel).split('\\').join('/')
}

const room = (folder: string) => folder.split('/')[0]!

interface Edge {
  from: string
  to: string
  file: string
  spec: string
}

function folderEdges(): Edge[] {
  const edges: Edge[] = []
  for (const file of sourceFiles(ROUTER)) {
    const from = folderOf(file)!
    for (const spec of relativeImports(readFileSync(file, 'utf8'))) {
      const to = folderOf(resolve(dirname(file), spec))
      if (to !== undefined && to !== from) edges.push({ from, to, file: relative(ROUTER, file), spec })
    }
  }
  return edges
}

describe('router rooms', () => {
  const edges = folderEdges()

  it('puts every source file in a room of the declared order', () => {
    const unknown = sourceFiles(ROUTER)
      .map((file) => folderOf(file)!)
      .filter((folder) => !(ORDER as readonly string[]).includes(room(folder)))
    expect([...new Set(unknown)]).toEqual([])
  })

  it('imports only rooms below, never node/ from outside it', () => {
    const up = edges
      .filter((e) => ORDER.indexOf(room(e.to) as never) > ORDER.indexOf(room(e.from) as never))
      .map((e) => `${e.file} imports ${e.spec} (${room(e.from) || 'root'} is below ${room(e.to) || 'root'})`)
    expect(up).toEqual([])
  })

  it('has no two folders importing each other', () => {
    const pairs = new Set(edges.map((e) => `${e.from} -> ${e.to}`))
    const mutual = edges
      .filter((e) => pairs.has(`${e.to} -> ${e.from}`))
      // A room's root files (its registry, shared types) and its own subfolders are one room.
      .filter((e) => room(e.from) !== room(e.to) || (e.from.includes('/') && e.to.includes('/')))
      .map((e) => `${e.file} imports ${e.spec}, and ${e.to} imports ${e.from}`)
    expect(mutual).toEqual([])
  })

  it('sees the imports it checks', () => {
    expect(edges.some((e) => e.from === 'dispatch' && e.to === 'providers')).toBe(true)
    expect(edges.some((e) => e.from === 'node' && e.to === '')).toBe(true)
  })
})
