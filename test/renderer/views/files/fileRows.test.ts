// @vitest-environment jsdom
import { describe, expect, it } from 'vitest'
import { fileRows } from '../../../../src/renderer/src/views/files/fileRows'
import { verifyProgressText } from '../../../../src/renderer/src/views/files/verifyProgressText'
import { SEGMENTS, verifyJob } from '../fixtures'

describe('fileRows', () => {
  it('keeps the listing when there is no job', () => {
    expect(fileRows(SEGMENTS, null).map((row) => [row.status, row.problems.length])).toEqual([
      ['ok', 0],
      ['corrupt', 1],
      ['unverified', 0],
    ])
  })

  it('adds a row for a file only the job reported, such as a missing range', () => {
    const job = verifyJob({ state: 'done' })
    job.progress!.files.push({
      name: '00000000000000120001.seg',
      status: 'missing',
      records: 0,
      first_sequence: 120_001,
      last_sequence: 130_000,
      problems: [{ offset: 0, reason: 'file is missing' }],
      bytes: 0,
      bytes_done: 0,
      thread_id: null,
      last_verified_at: null,
    })
    const extra = fileRows(SEGMENTS, job).at(-1)
    expect(extra).toMatchObject({
      name: '00000000000000120001.seg',
      segment: null,
      status: 'missing',
    })
    expect(extra?.progress).toBeNull()
  })
})

describe('verifyProgressText', () => {
  it('says time left is unknown before any throughput is measured', () => {
    const progress = { ...verifyJob().progress!, bytes_done: 0, bytes_per_second: 0, files_done: 0 }
    expect(verifyProgressText(progress)).toBe(
      '0 of 3 files · 0 B of 62 MiB (0%) · 0 B/s · time left unknown',
    )
  })

  it('reports nothing left once every byte is read', () => {
    const progress = { ...verifyJob().progress!, bytes_done: 65_011_712, files_done: 3 }
    expect(verifyProgressText(progress)).toMatch(/\(100%\) · 10 MiB\/s · finishing$/)
  })
})
