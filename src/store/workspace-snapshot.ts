/**
 * Fingerprints every file of a session's workspace (size, mtime and inode, from `lstat`) for the agent's
 * file-change detection: path -> fingerprint. Bounded: directories the agent never edits by hand (`.git`,
 * `node_modules`) are skipped, and at most `maxFiles` entries are read.
 */
import { lstat, readdir } from 'node:fs/promises'
import { join } from 'node:path'

const SKIPPED_DIRS = new Set(['.git', 'node_modules'])

export async function snapshotDirectory(root: string, maxFiles = 20_000): Promise<Map<string, string>> {
  const out = new Map<string, string>()
  const walk = async (dir: string, prefix: string): Promise<void> => {
    let entries: import('node:fs').Dirent[]
    try {
      entries = await readdir(dir, { withFileTypes: true })
    } catch {
      return
    }
    for (const entry of entries) {
      if (out.size >= maxFiles) return
      const rel = prefix === '' ? entry.name : `${prefix}/${entry.name}`
      const full = join(dir, entry.name)
      if (entry.isDirectory()) {
        if (!SKIPPED_DIRS.has(entry.name)) await walk(full, rel)
        continue
      }
      try {
        const st = await lstat(full)
        out.set(rel, `${st.size}:${st.mtimeMs}:${st.ino}`)
      } catch {
        // Vanished between readdir and lstat: it is simply not part of this snapshot.
      }
    }
  }
  await walk(root, '')
  return out
}
