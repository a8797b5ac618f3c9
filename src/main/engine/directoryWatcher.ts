import * as fs from 'node:fs'

/**
 * watchDirectory tells `onChange` when anything in a directory changes: a file created,
 * renamed, removed or written to (inotify on Linux, FSEvents on macOS). Notifications carry
 * no promise of completeness (they can be coalesced or, on some file systems, never come),
 * so a follower treats them as a hint and keeps a polling timer as well.
 *
 * It answers null where the platform cannot watch the directory: polling alone then works.
 */
export interface DirectoryWatch {
  close(): void
}

export type WatchDirectory = (
  dir: string,
  onChange: () => void,
  onError: (error: Error) => void,
) => DirectoryWatch | null

export const watchDirectory: WatchDirectory = (dir, onChange, onError) => {
  let watcher: fs.FSWatcher
  try {
    watcher = fs.watch(dir, { persistent: true }, () => onChange())
  } catch {
    // No watching here (an unsupported file system, no inotify watches left): poll instead.
    return null
  }
  watcher.on('error', onError)
  return { close: () => watcher.close() }
}
