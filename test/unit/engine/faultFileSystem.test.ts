import { describe, expect, it } from 'vitest'
import { writeFileDurably } from '../../../src/main/engine/fileSystem'
import { FaultFileSystem } from '../../support/faultFileSystem'

const bytes = (text: string): Buffer => Buffer.from(text)

/** A disk where /store already exists durably, as it would after the store was first made. */
function disk(): FaultFileSystem {
  return new FaultFileSystem({ dirs: ['/store'] })
}

/** Writes `text` to a new file and makes both its bytes and its name durable. */
async function durableFile(fs: FaultFileSystem, path: string, text: string): Promise<void> {
  const handle = await fs.create(path)
  await handle.write([bytes(text)], 0)
  await handle.datasync()
  await handle.close()
  await fs.syncDir(path.slice(0, path.lastIndexOf('/')))
}

async function contents(fs: FaultFileSystem, path: string): Promise<string | null> {
  return (await fs.size(path)) === null ? null : (await fs.readFile(path)).toString()
}

describe('FaultFileSystem durability', () => {
  it('unsynced bytes are lost at power loss', async () => {
    const fs = disk()
    await durableFile(fs, '/store/a.log', 'synced')
    const handle = await fs.open('/store/a.log', 'readwrite')
    await handle.write([bytes('+lost')], 6)
    expect(await contents(fs, '/store/a.log')).toBe('synced+lost')

    const after = fs.powerLoss()
    expect(await contents(after, '/store/a.log')).toBe('synced')
  })

  it('a synced file whose directory was not synced disappears at power loss', async () => {
    const fs = disk()
    const handle = await fs.create('/store/a.log')
    await handle.write([bytes('data')], 0)
    await handle.datasync()

    expect(await fs.powerLoss().readdir('/store')).toEqual([])
  })

  it('a file synced before its directory entry still keeps its bytes', async () => {
    const fs = disk()
    const handle = await fs.create('/store/a.log')
    await fs.syncDir('/store')
    await handle.write([bytes('data')], 0)

    expect(await contents(fs.powerLoss(), '/store/a.log')).toBe('')
  })

  it('an unlinked file comes back with its durable bytes until its directory is synced', async () => {
    const fs = disk()
    await durableFile(fs, '/store/a.log', 'kept')
    await fs.unlink('/store/a.log')
    expect(await contents(fs.powerLoss(), '/store/a.log')).toBe('kept')

    const synced = disk()
    await durableFile(synced, '/store/a.log', 'kept')
    await synced.unlink('/store/a.log')
    await synced.syncDir('/store')
    expect(await contents(synced.powerLoss(), '/store/a.log')).toBeNull()
  })

  it('rename is durable only after syncDir', async () => {
    const unsynced = disk()
    await durableFile(unsynced, '/store/a.tmp', 'new')
    await unsynced.rename('/store/a.tmp', '/store/a')
    expect(unsynced.powerLoss().durableSnapshot()).toEqual(
      new Map([['/store/a.tmp', bytes('new')]]),
    )

    const synced = disk()
    await durableFile(synced, '/store/a.tmp', 'new')
    await synced.rename('/store/a.tmp', '/store/a')
    await synced.syncDir('/store')
    expect(synced.powerLoss().durableSnapshot()).toEqual(new Map([['/store/a', bytes('new')]]))
  })

  it('a rename over an old file keeps the old bytes until syncDir', async () => {
    const fs = disk()
    await durableFile(fs, '/store/meta', 'old')
    await durableFile(fs, '/store/meta.tmp', 'new')
    await fs.rename('/store/meta.tmp', '/store/meta')
    expect(await contents(fs, '/store/meta')).toBe('new')

    expect(await contents(fs.powerLoss(), '/store/meta')).toBe('old')
  })

  it('a rename across directories drops the old name only when the source is synced', async () => {
    const fs = new FaultFileSystem({ dirs: ['/store/a', '/store/b'] })
    await durableFile(fs, '/store/a/f', 'moved')
    await fs.rename('/store/a/f', '/store/b/f')
    await fs.syncDir('/store/b')

    const after = fs.powerLoss()
    // Both durable entries name the same inode, so the file survives under both names.
    expect(after.durableSnapshot()).toEqual(
      new Map([
        ['/store/a/f', bytes('moved')],
        ['/store/b/f', bytes('moved')],
      ]),
    )
  })

  it('mkdir is durable only after syncDir of the parent', async () => {
    const fs = new FaultFileSystem()
    await fs.mkdir('/store/sealed')
    await fs.syncDir('/')
    expect(await fs.powerLoss().readdir('/store')).toEqual([])

    const synced = new FaultFileSystem()
    await synced.mkdir('/store/sealed')
    await synced.syncDir('/')
    await synced.syncDir('/store')
    expect(await synced.powerLoss().readdir('/store')).toEqual(['sealed'])
  })

  it('a truncate is durable only after datasync', async () => {
    const fs = disk()
    await durableFile(fs, '/store/a.log', 'abcdef')
    const handle = await fs.open('/store/a.log', 'readwrite')
    await handle.truncate(2)
    expect(await contents(fs.powerLoss(), '/store/a.log')).toBe('abcdef')

    const synced = disk()
    await durableFile(synced, '/store/a.log', 'abcdef')
    const syncedHandle = await synced.open('/store/a.log', 'readwrite')
    await syncedHandle.truncate(2)
    await syncedHandle.datasync()
    expect(await contents(synced.powerLoss(), '/store/a.log')).toBe('ab')
  })

  it('a handle keeps working on its file after rename and unlink', async () => {
    const fs = disk()
    const handle = await fs.create('/store/a')
    await fs.rename('/store/a', '/store/b')
    await handle.write([bytes('hello')], 0)
    expect(await contents(fs, '/store/b')).toBe('hello')

    await fs.unlink('/store/b')
    await handle.write([bytes('!')], 5)
    expect(await handle.size()).toBe(6)
  })

  it('writeFileDurably leaves the whole file after power loss', async () => {
    const fs = disk()
    await writeFileDurably(fs, '/store', 'meta.json', bytes('{"v":1}'))

    expect(fs.powerLoss().snapshot()).toEqual(new Map([['/store/meta.json', bytes('{"v":1}')]]))
  })

  it('durableSnapshot is what power loss keeps', async () => {
    const fs = disk()
    await durableFile(fs, '/store/a', 'one')
    const handle = await fs.create('/store/b')
    await handle.write([bytes('two')], 0)
    const expected = fs.durableSnapshot()

    expect(fs.powerLoss().snapshot()).toEqual(expected)
  })

  it('incremental datasync matches copying the whole file (seeded random writes)', async () => {
    const seed = 20240611
    let state = seed
    const next = (bound: number): number => {
      state = (state * 1103515245 + 12345) % 2 ** 31
      return state % bound
    }
    const fs = disk()
    const handle = await fs.create('/store/r')
    await fs.syncDir('/store')
    let expected: Buffer = Buffer.alloc(0)
    for (let step = 0; step < 500; step += 1) {
      const choice = next(10)
      if (choice < 6) {
        const chunk = Buffer.alloc(1 + next(40), next(256))
        await handle.write([chunk], next(expected.length + 20))
      } else if (choice < 7) {
        await handle.truncate(next(expected.length + 10))
      } else {
        await handle.datasync()
        expected = fs.snapshot().get('/store/r') ?? Buffer.alloc(0)
      }
      expect(fs.durableSnapshot().get('/store/r'), `seed ${seed} step ${step}`).toEqual(expected)
    }
  })
})

describe('FaultFileSystem power loss', () => {
  it('a torn tail callback keeps part of the unsynced bytes', async () => {
    const fs = disk()
    await durableFile(fs, '/store/a.log', 'head')
    const handle = await fs.open('/store/a.log', 'readwrite')
    await handle.write([bytes('-tail')], 4)
    const offered: string[] = []

    const after = fs.powerLoss({
      tornTail: (unsynced) => {
        offered.push(unsynced.toString())
        return unsynced.subarray(0, 2)
      },
    })
    expect(offered).toEqual(['-tail'])
    expect(await contents(after, '/store/a.log')).toBe('head-t')
  })

  it('a torn tail is not offered for a file overwritten inside its durable bytes', async () => {
    const fs = disk()
    await durableFile(fs, '/store/a.log', 'head')
    const handle = await fs.open('/store/a.log', 'readwrite')
    await handle.write([bytes('HEAD-tail')], 0)
    const offered: Buffer[] = []

    const after = fs.powerLoss({ tornTail: (unsynced) => (offered.push(unsynced), unsynced) })
    expect(offered).toEqual([])
    expect(await contents(after, '/store/a.log')).toBe('head')
  })

  it('a torn tail that is not a prefix of the unsynced bytes is refused', async () => {
    const fs = disk()
    await durableFile(fs, '/store/a.log', 'head')
    const handle = await fs.open('/store/a.log', 'readwrite')
    await handle.write([bytes('tail')], 4)

    expect(() => fs.powerLoss({ tornTail: () => bytes('xx') })).toThrow(/prefix/)
  })

  it('the old instance refuses calls after power loss', async () => {
    const fs = disk()
    await durableFile(fs, '/store/a', 'x')
    const handle = await fs.open('/store/a', 'readwrite')
    fs.powerLoss()

    await expect(fs.readFile('/store/a')).rejects.toThrow(/lost power/)
    await expect(fs.mkdir('/other')).rejects.toThrow(/lost power/)
    await expect(handle.write([bytes('y')], 0)).rejects.toThrow(/lost power/)
    await expect(handle.datasync()).rejects.toThrow(/lost power/)
    expect(() => fs.snapshot()).toThrow(/lost power/)
    expect(() => fs.powerLoss()).toThrow(/lost power/)
  })
})

describe('FaultFileSystem fault injection', () => {
  it('injected EIO on datasync is thrown once', async () => {
    const fs = disk()
    const handle = await fs.create('/store/a')
    fs.failNext('datasync', 'EIO')

    const failed = handle.datasync()
    await expect(failed).rejects.toMatchObject({ code: 'EIO', syscall: 'datasync' })
    await expect(failed).rejects.toThrow(/^EIO: i\/o error, datasync '\/store\/a'$/)
    await expect(handle.datasync()).resolves.toBeUndefined()
    expect(fs.calls.datasync).toBe(2)
  })

  it('an injected failure waits for `after` matching calls on matching paths', async () => {
    const fs = disk()
    fs.failNext('create', 'ENOSPC', { pathIncludes: 'segment', after: 1 })

    await fs.create('/store/other')
    await fs.create('/store/segment-1')
    await expect(fs.create('/store/segment-2')).rejects.toMatchObject({ code: 'ENOSPC' })
    expect(await fs.readdir('/store')).toEqual(['other', 'segment-1'])
  })

  it('an injected rename failure leaves both names as they were', async () => {
    const fs = disk()
    await durableFile(fs, '/store/a.tmp', 'x')
    fs.failNext('rename', 'EIO', { pathIncludes: '/store/a' })

    await expect(fs.rename('/store/a.tmp', '/store/a')).rejects.toMatchObject({ code: 'EIO' })
    expect(await fs.readdir('/store')).toEqual(['a.tmp'])
  })

  it('an injected write failure writes nothing', async () => {
    const fs = disk()
    const handle = await fs.create('/store/a')
    fs.failNext('write', 'ENOSPC')

    await expect(handle.write([bytes('abcd')], 0)).rejects.toMatchObject({ code: 'ENOSPC' })
    expect(await handle.size()).toBe(0)
  })

  it('failWriteMidway leaves a prefix written', async () => {
    const fs = disk()
    const handle = await fs.create('/store/a.log')
    fs.failWriteMidway({ pathIncludes: '.log' })

    await expect(handle.write([bytes('abc'), bytes('def')], 0)).rejects.toMatchObject({
      code: 'EIO',
    })
    expect(await contents(fs, '/store/a.log')).toBe('abc')
    await handle.write([bytes('XYZ')], 3)
    expect(await contents(fs, '/store/a.log')).toBe('abcXYZ')
  })

  it('injected syncDir and truncate failures change nothing durable', async () => {
    const fs = disk()
    await durableFile(fs, '/store/a', 'abc')
    await fs.unlink('/store/a')
    fs.failNext('syncDir', 'EIO')
    await expect(fs.syncDir('/store')).rejects.toMatchObject({ code: 'EIO' })
    expect(fs.durableSnapshot().has('/store/a')).toBe(true)

    const handle = await fs.create('/store/b')
    await handle.write([bytes('1234')], 0)
    fs.failNext('truncate', 'EIO')
    await expect(handle.truncate(1)).rejects.toMatchObject({ code: 'EIO' })
    expect(await handle.size()).toBe(4)
  })
})

describe('FaultFileSystem matches Node semantics', () => {
  it.each([
    ['create on an existing name', (fs: FaultFileSystem) => fs.create('/store/a'), 'EEXIST'],
    ['open of a missing file', (fs: FaultFileSystem) => fs.open('/store/nope', 'read'), 'ENOENT'],
    ['readFile of a missing file', (fs: FaultFileSystem) => fs.readFile('/store/nope'), 'ENOENT'],
    ['unlink of a missing file', (fs: FaultFileSystem) => fs.unlink('/store/nope'), 'ENOENT'],
    [
      'rename of a missing file',
      (fs: FaultFileSystem) => fs.rename('/store/x', '/store/y'),
      'ENOENT',
    ],
    ['create in a missing directory', (fs: FaultFileSystem) => fs.create('/nope/a'), 'ENOENT'],
    ['syncDir of a missing directory', (fs: FaultFileSystem) => fs.syncDir('/nope'), 'ENOENT'],
  ])('%s fails with %s', async (_name, call, code) => {
    const fs = disk()
    await durableFile(fs, '/store/a', 'x')
    await expect(call(fs)).rejects.toMatchObject({ code })
  })

  it('missing paths give null from readdir and size, and mkdir is recursive and repeatable', async () => {
    const fs = new FaultFileSystem()
    expect(await fs.readdir('/store')).toBeNull()
    expect(await fs.size('/store/a')).toBeNull()
    await fs.mkdir('/store/deep/er')
    await fs.mkdir('/store/deep')
    expect(await fs.readdir('/store/deep')).toEqual(['er'])
  })

  it('readdir gives sorted names, not paths', async () => {
    const fs = disk()
    for (const name of ['c', 'a', 'b']) await fs.create(`/store/${name}`)
    expect(await fs.readdir('/store/')).toEqual(['a', 'b', 'c'])
  })

  it('rename overwrites its target', async () => {
    const fs = disk()
    await durableFile(fs, '/store/a', 'new')
    await durableFile(fs, '/store/b', 'old')
    await fs.rename('/store/a', '/store/b')
    expect(fs.snapshot()).toEqual(new Map([['/store/b', bytes('new')]]))
  })

  it('reads past the end are partial or empty, and writes past the end zero-fill', async () => {
    const fs = disk()
    const handle = await fs.create('/store/a')
    await handle.write([bytes('ab')], 4)
    expect(await fs.readFile('/store/a')).toEqual(Buffer.from([0, 0, 0, 0, 97, 98]))

    const buffer = Buffer.alloc(8)
    expect(await handle.read(buffer, 0, 8, 4)).toBe(2)
    expect(await handle.read(buffer, 0, 8, 6)).toBe(0)
    expect(await handle.read(buffer, 0, 8, 100)).toBe(0)
  })

  it('a truncate that shrinks then grows brings back zeros, not old bytes', async () => {
    const fs = disk()
    const handle = await fs.create('/store/a')
    await handle.write([bytes('abcd')], 0)
    await handle.truncate(1)
    await handle.truncate(3)
    expect(await fs.readFile('/store/a')).toEqual(Buffer.from([97, 0, 0]))
  })

  it('a read-only or closed handle refuses writes with EBADF', async () => {
    const fs = disk()
    await durableFile(fs, '/store/a', 'x')
    const reader = await fs.open('/store/a', 'read')
    await expect(reader.write([bytes('y')], 0)).rejects.toMatchObject({ code: 'EBADF' })
    await expect(reader.truncate(0)).rejects.toMatchObject({ code: 'EBADF' })
    await reader.close()
    await expect(reader.read(Buffer.alloc(1), 0, 1, 0)).rejects.toMatchObject({ code: 'EBADF' })
  })
})
