import { describe, expect, it } from 'vitest'
import type { SlaTransition } from '../../../../src/shared/sla'
import { ValidationError } from '../../../../src/main/engine/errors'
import { SLA_SIDE_LOG_READ_MAX } from '../../../../src/main/engine/limits'
import {
  SIDE_LOG_FILE_NAME,
  SIDE_LOG_ROTATED_NAME,
  SideLog,
} from '../../../../src/main/engine/sla/sideLog'
import { FaultFileSystem } from '../../../support/faultFileSystem'
import { START_MS } from './slaHarness'

const DIR = '/store'

function transition(index: number): SlaTransition {
  return {
    from: 'NORMAL',
    to: 'EMERGENCY',
    at: new Date(START_MS + index * 1000).toISOString(),
    reason: `fault number ${index}`,
    figures: { index },
  }
}

function disk(): FaultFileSystem {
  return new FaultFileSystem({ dirs: [DIR] })
}

describe('SideLog', () => {
  it('an appended transition survives a power loss', async () => {
    const fs = disk()
    const log = new SideLog(fs, DIR)

    await log.append(transition(1))
    await log.append(transition(2))

    const read = await new SideLog(fs.powerLoss(), DIR).recent(10)
    expect(read).toEqual({ transitions: [transition(1), transition(2)], problems: [] })
  })

  it('recent returns the most recent N, oldest first', async () => {
    const log = new SideLog(disk(), DIR)
    for (let i = 0; i < 10; i++) await log.append(transition(i))

    const read = await log.recent(3)

    expect(read.transitions.map((t) => t.figures.index)).toEqual([7, 8, 9])
  })

  it('appends made at once are all kept, in call order', async () => {
    const log = new SideLog(disk(), DIR)

    await Promise.all([0, 1, 2, 3, 4].map((i) => log.append(transition(i))))

    expect((await log.recent(10)).transitions.map((t) => t.figures.index)).toEqual([0, 1, 2, 3, 4])
  })

  it('stays within its bound by rotating, and still reads across the rotation', async () => {
    const fs = disk()
    const bytesMax = 1000
    const log = new SideLog(fs, DIR, bytesMax)

    for (let i = 0; i < 100; i++) await log.append(transition(i))

    const current = (await fs.size(`${DIR}/${SIDE_LOG_FILE_NAME}`))!
    const rotated = (await fs.size(`${DIR}/${SIDE_LOG_ROTATED_NAME}`))!
    expect(current).toBeLessThanOrEqual(bytesMax)
    expect(rotated).toBeLessThanOrEqual(bytesMax)
    expect((await fs.readdir(DIR))?.sort()).toEqual([SIDE_LOG_FILE_NAME, SIDE_LOG_ROTATED_NAME])
    const read = await log.recent(SLA_SIDE_LOG_READ_MAX)
    const indexes = read.transitions.map((t) => t.figures.index)
    expect(indexes.at(-1)).toBe(99)
    // Every line kept is contiguous and the newest: nothing in the middle is lost.
    expect(indexes).toEqual(indexes.map((_, k) => 100 - indexes.length + k))
    expect(indexes.length).toBeGreaterThan(bytesMax / 200)
  })

  it('a torn last line is reported, and the next append starts on a line of its own', async () => {
    const fs = disk()
    const log = new SideLog(fs, DIR)
    await log.append(transition(1))
    const path = `${DIR}/${SIDE_LOG_FILE_NAME}`
    const size = (await fs.size(path))!
    const handle = await fs.open(path, 'readwrite')
    await handle.write([Buffer.from('{"from":"NOR')], size)
    await handle.close()

    expect((await log.recent(5)).problems).toEqual([
      {
        file: SIDE_LOG_FILE_NAME,
        offset: size,
        reason: 'the last line is incomplete (a write cut off)',
      },
    ])
    await log.append(transition(2))

    const read = await log.recent(5)
    expect(read.transitions).toEqual([transition(1), transition(2)])
    expect(read.problems).toEqual([
      { file: SIDE_LOG_FILE_NAME, offset: size, reason: 'the line is not JSON' },
    ])
  })

  it('a line that is JSON but not a transition is reported, not returned', async () => {
    const fs = disk()
    const handle = await fs.create(`${DIR}/${SIDE_LOG_FILE_NAME}`)
    await handle.write([Buffer.from('{"from":"LOST"}\n')], 0)
    await handle.close()

    expect(await new SideLog(fs, DIR).recent(1)).toEqual({
      transitions: [],
      problems: [
        { file: SIDE_LOG_FILE_NAME, offset: 0, reason: 'the line is not an SLA transition' },
      ],
    })
  })

  it('a failed fsync is an io_error naming the file', async () => {
    const fs = disk()
    fs.failNext('datasync', 'EIO')

    await expect(new SideLog(fs, DIR).append(transition(1))).rejects.toMatchObject({
      code: 'io_error',
      message: expect.stringContaining(SIDE_LOG_FILE_NAME) as unknown,
    })
  })

  it.each([0, SLA_SIDE_LOG_READ_MAX + 1, 1.5])(
    'recent(%s) is refused with the limit',
    async (count) => {
      await expect(new SideLog(disk(), DIR).recent(count)).rejects.toThrowError(ValidationError)
      await expect(new SideLog(disk(), DIR).recent(count)).rejects.toThrowError(
        `count must be an integer from 1 to ${SLA_SIDE_LOG_READ_MAX}`,
      )
    },
  )
})
