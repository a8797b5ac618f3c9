import { describe, expect, it } from 'vitest'
import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { gunzipSync } from 'node:zlib'
import { EventStore } from '../../../src/main/engine/eventStore'
import { decodeManifest } from '../../../src/main/engine/manifest'
import type { SegmentManifest } from '../../../src/main/engine/manifest'
import { sha256 } from '../../../src/main/engine/recordCodec'
import { SEAL_MEMBER_BYTES } from '../../../src/main/engine/limits'
import { tempDir } from '../../support/tempDir'

const event = (i: number) => ({
  event_type: 'shadow_updated',
  aggregate_id: `shadow-${i % 5}`,
  timestamp: new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString(),
  data: { i, text: 'x'.repeat(200 + (i % 50)) },
})

async function storeWithSealedSegments(segmentBytesMax: number, count: number): Promise<string> {
  const dir = `${tempDir()}/store`
  const store = await EventStore.open(dir, { create: true, segmentBytesMax })
  for (let i = 1; i <= count; i += 10) {
    await store.appendBatch(Array.from({ length: 10 }, (_, k) => event(i + k)))
  }
  await store.idle()
  await store.close()
  return dir
}

function manifestOf(dir: string, name: string): SegmentManifest {
  const manifest = decodeManifest(readFileSync(`${dir}/${name}`))
  if (typeof manifest === 'string') throw new Error(manifest)
  return manifest
}

describe('sealing', () => {
  it('replaces each finished raw segment with a gzip file that zcat reads back byte for byte', async () => {
    const dir = await storeWithSealedSegments(200_000, 1000)
    const names = readdirSync(dir)
    const sealed = names.filter((n) => n.endsWith('.log.gz'))
    expect(sealed.length).toBeGreaterThan(1)
    // Only the active segment stays raw.
    expect(names.filter((n) => n.endsWith('.log'))).toHaveLength(1)
    for (const name of sealed) {
      const viaZcat = execFileSync('zcat', [`${dir}/${name}`])
      expect(viaZcat.equals(gunzipSync(readFileSync(`${dir}/${name}`)))).toBe(true)
      expect(viaZcat.subarray(0, 8).toString('ascii')).toBe('LHSEGMNT')
    }
  })

  it('writes independent gzip members of about SEAL_MEMBER_BYTES that each inflate on their own', async () => {
    const dir = await storeWithSealedSegments(400_000, 1200)
    const manifest = manifestOf(dir, 'segment-0000000001.manifest.json')
    const gz = readFileSync(`${dir}/segment-0000000001.log.gz`)
    expect(manifest.members.length).toBeGreaterThan(3)
    const raw = gunzipSync(gz)
    manifest.members.forEach(([rawOffset, gzOffset], i) => {
      const [nextRaw, nextGz] = manifest.members[i + 1] ?? [raw.length, gz.length]
      const member = gunzipSync(gz.subarray(gzOffset, nextGz))
      expect(member.equals(raw.subarray(rawOffset, nextRaw))).toBe(true)
      if (i < manifest.members.length - 1) {
        expect(member.length).toBeGreaterThanOrEqual(SEAL_MEMBER_BYTES)
        expect(member.length).toBeLessThan(SEAL_MEMBER_BYTES + 2048)
      }
    })
  })

  it('records counts, sequence and time ranges and the file digest in a checksummed manifest', async () => {
    const dir = await storeWithSealedSegments(200_000, 1000)
    const first = manifestOf(dir, 'segment-0000000001.manifest.json')
    const second = manifestOf(dir, 'segment-0000000002.manifest.json')
    expect(first.first_sequence).toBe(1)
    expect(second.first_sequence).toBe(first.last_sequence + 1)
    expect(first.records).toBe(first.last_sequence)
    expect(first.first_timestamp).toBe(event(1).timestamp)
    expect(first.gz_sha256).toBe(
      sha256(readFileSync(`${dir}/segment-0000000001.log.gz`)).toString('hex'),
    )
    const tampered = readFileSync(`${dir}/segment-0000000001.manifest.json`, 'utf8').replace(
      `"records":${first.records}`,
      `"records":${first.records + 1}`,
    )
    expect(decodeManifest(Buffer.from(tampered))).toBe('manifest checksum mismatch')
  })

  it('never splits a batch across segments', async () => {
    const dir = await storeWithSealedSegments(8192, 400)
    const store = await EventStore.open(dir, { access: 'read' })
    for (const segment of store.inspect().segments) {
      if (segment.records === 0) continue
      // Batches of 10 starting at 1, 11, 21, ...: each segment starts and ends on a boundary.
      expect((segment.first_sequence! - 1) % 10).toBe(0)
      expect(segment.last_sequence! % 10).toBe(0)
    }
    await store.close()
  })

  it('rotates a segment by age at the next append', async () => {
    let now = Date.UTC(2026, 0, 1)
    const dir = `${tempDir()}/store`
    const store = await EventStore.open(dir, {
      create: true,
      nowMs: () => now,
      segmentAgeMs: 60_000,
    })
    await store.append(event(1))
    now += 59_000
    await store.append(event(2))
    now += 2_000
    await store.append(event(3))
    await store.idle()
    expect(store.inspect().segments.map((s) => [s.records, s.sealed])).toEqual([
      [2, true],
      [1, false],
    ])
    await store.close()
  })

  it('a reopened store seals a raw segment that a crash left unsealed', async () => {
    const dir = await storeWithSealedSegments(8192, 100)
    // Undo the seal of segment 1, as if the writer died before sealing it.
    const raw = gunzipSync(readFileSync(`${dir}/segment-0000000001.log.gz`))
    writeFileSync(`${dir}/segment-0000000001.log`, raw)
    rmSync(`${dir}/segment-0000000001.log.gz`)
    rmSync(`${dir}/segment-0000000001.manifest.json`)
    const store = await EventStore.open(dir, { segmentBytesMax: 8192 })
    expect(store.inspect().segments[0]).toMatchObject({
      name: 'segment-0000000001.log',
      sealed: false,
    })
    await store.idle()
    expect(store.inspect().segments[0]).toMatchObject({
      name: 'segment-0000000001.log.gz',
      sealed: true,
    })
    expect(existsSync(`${dir}/segment-0000000001.log`)).toBe(false)
    await store.close()
  })

  it('a sealed copy left next to its raw segment is removed and made again', async () => {
    const dir = await storeWithSealedSegments(8192, 100)
    writeFileSync(
      `${dir}/segment-0000000001.log`,
      gunzipSync(readFileSync(`${dir}/segment-0000000001.log.gz`)),
    )
    const store = await EventStore.open(dir, { segmentBytesMax: 8192 })
    expect(store.openReport?.actions.map((a) => [a.kind, a.file])).toEqual([
      ['removed_temp', 'segment-0000000001.log.gz'],
      ['removed_temp', 'segment-0000000001.manifest.json'],
    ])
    await store.idle()
    await store.close()
    expect((await EventStore.verify(dir)).ok).toBe(true)
  })
})

describe('a sealed file that disappeared', () => {
  it('is reported as damage by verify and open, not as an I/O error', async () => {
    const dir = await storeWithSealedSegments(8192, 100)
    rmSync(`${dir}/segment-0000000002.log.gz`)
    const report = await EventStore.verify(dir)
    expect(report.ok).toBe(false)
    expect(report.files.find((f) => f.name === 'segment-0000000002.log.gz')).toMatchObject({
      status: 'corrupt',
      problems: [{ offset: 0, reason: expect.stringMatching(/sealed file is missing/) as unknown }],
    })
    const store = await EventStore.open(dir)
    expect(store.mode).toBe('needs_recovery')
    await store.close()
    const recovered = await EventStore.recover(dir)
    expect(recovered.ok).toBe(true)
    expect((await EventStore.verify(dir)).ok).toBe(true)
  })
})
