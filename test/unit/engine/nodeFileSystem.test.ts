import { readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { readRange, writeAndSync } from '../../../src/main/engine/fileSystem'
import { nodeFileSystem } from '../../../src/main/engine/nodeFileSystem'
import { tempDir } from '../../support/tempDir'

/** Open descriptors of this process, where /proc tells (Linux); null elsewhere. */
function openDescriptors(): number | null {
  try {
    return readdirSync('/proc/self/fd').length
  } catch {
    return null
  }
}

describe('nodeFileSystem', () => {
  it('writeSynced writes every byte at its position, seen through the handle and the path', async () => {
    const path = join(tempDir(), 'log')
    const handle = await nodeFileSystem.create(path)
    await handle.write([Buffer.from('head')], 0)
    await writeAndSync(handle, [Buffer.from('one'), Buffer.alloc(0), Buffer.from('two')], 4)
    await writeAndSync(handle, [Buffer.from('three')], 10)
    expect((await readRange(handle, 0, 64)).toString()).toBe('headonetwothree')
    await handle.close()
    expect(readFileSync(path, 'utf8')).toBe('headonetwothree')
  })

  it('writeSynced refuses to write when the path names another file than the handle by now', async () => {
    const dir = tempDir()
    const path = join(dir, 'log')
    writeFileSync(path, 'mine')
    const handle = await nodeFileSystem.open(path, 'readwrite')
    writeFileSync(join(dir, 'other'), 'other')
    renameSync(join(dir, 'other'), path)
    await expect(writeAndSync(handle, [Buffer.from('x')], 4)).rejects.toThrow(/was replaced/)
    await handle.close()
    expect(readFileSync(path, 'utf8')).toBe('other')
  })

  it('writeSynced on a handle opened for reading throws, writing nothing', async () => {
    const path = join(tempDir(), 'log')
    writeFileSync(path, 'mine')
    const handle = await nodeFileSystem.open(path, 'read')
    await expect(writeAndSync(handle, [Buffer.from('x')], 0)).rejects.toThrow(/opened for reading/)
    await handle.close()
    expect(readFileSync(path, 'utf8')).toBe('mine')
  })

  it('close closes the descriptor writeSynced opened too', async (context) => {
    if (openDescriptors() === null) {
      console.log('skipping the descriptor count: /proc/self/fd is not available here')
      context.skip()
    }
    const before = openDescriptors()
    const handle = await nodeFileSystem.create(join(tempDir(), 'log'))
    await writeAndSync(handle, [Buffer.from('x')], 0)
    expect(openDescriptors()).toBe(before! + 2)
    await handle.close()
    expect(openDescriptors()).toBe(before)
  })
})
