import { describe, expect, it } from 'vitest'
import { writeFileSync } from 'node:fs'
import { FileHandles } from '../../../src/main/engine/fileHandles'
import { readRange } from '../../../src/main/engine/fileSystem'
import { CountingFileSystem } from '../../support/countingFileSystem'
import { tempDir } from '../../support/tempDir'

/** files writes `count` small files and returns their paths; file i holds "file i". */
function files(count: number): string[] {
  const dir = tempDir('lhs-handles-')
  return Array.from({ length: count }, (_, i) => {
    const path = `${dir}/f${i}`
    writeFileSync(path, `file ${i}`)
    return path
  })
}

const readAll = (handles: FileHandles, path: string) =>
  handles.use(path, async (handle) => (await readRange(handle, 0, 64)).toString())

describe('FileHandles', () => {
  it('opens a file once for many reads', async () => {
    const fs = new CountingFileSystem()
    const handles = new FileHandles(fs, 4)
    const [path] = files(1)
    for (let i = 0; i < 5; i++) expect(await readAll(handles, path!)).toBe('file 0')
    expect(fs.opened).toBe(1)
    await handles.close()
    expect(fs.closed).toBe(1)
  })

  it('keeps at most `max` open, closing the least recently used idle one', async () => {
    const fs = new CountingFileSystem()
    const handles = new FileHandles(fs, 2)
    const paths = files(3)
    await readAll(handles, paths[0]!)
    await readAll(handles, paths[1]!)
    await readAll(handles, paths[0]!) // now paths[1] is the least recently used
    await readAll(handles, paths[2]!)
    expect(handles.size).toBe(2)
    expect(fs.opened - fs.closed).toBe(2)
    await readAll(handles, paths[0]!)
    expect(fs.opened).toBe(3) // paths[0] stayed open
    await readAll(handles, paths[1]!)
    expect(fs.opened).toBe(4) // paths[1] had been closed
    await handles.close()
    expect(fs.opened - fs.closed).toBe(0)
  })

  it('never closes a handle under a read: evicted or forgotten, it closes after', async () => {
    const fs = new CountingFileSystem()
    const handles = new FileHandles(fs, 1)
    const paths = files(2)
    let release!: () => void
    const gate = new Promise<void>((resolve) => (release = resolve))
    const slow = handles.use(paths[0]!, async (handle) => {
      await gate
      return (await readRange(handle, 0, 64)).toString()
    })
    await new Promise((resolve) => setImmediate(resolve))
    expect(await readAll(handles, paths[1]!)).toBe('file 1') // evicts paths[0] while in use
    await handles.forget(paths[0]!)
    expect(fs.closed).toBe(0)
    release()
    expect(await slow).toBe('file 0')
    expect(fs.closed).toBe(1)
    await handles.close()
    expect(fs.opened - fs.closed).toBe(0)
  })

  it('does not keep a failed open, and reads after close keep nothing open', async () => {
    const fs = new CountingFileSystem()
    const handles = new FileHandles(fs, 2)
    const [path] = files(1)
    await expect(readAll(handles, `${path}-missing`)).rejects.toMatchObject({ code: 'ENOENT' })
    expect(handles.size).toBe(0)
    await handles.close()
    expect(await readAll(handles, path!)).toBe('file 0')
    expect(handles.size).toBe(0)
    expect(fs.opened - fs.closed).toBe(0)
  })
})
