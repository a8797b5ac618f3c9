import { readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { SEGMENT_BYTES_MIN } from '../../../src/main/engine/limits'
import { flipByte } from '../../support/corrupt'
import { heartbeats, seedStore } from './seedStore'

export interface DamagedStore {
  /** The sealed segment that was damaged. */
  file: string
}

/**
 * damagedStore seeds a store whose smallest segments seal every ten events, then flips one
 * byte in the middle of the second sealed (gzip) segment. Open trusts the manifest, which
 * compares sizes only, so the damage stays hidden until a verification or a recovery.
 */
export async function damagedStore(dir: string): Promise<DamagedStore> {
  await seedStore(dir, heartbeats(60), { segmentBytesMax: SEGMENT_BYTES_MIN, batchEvents: 10 })
  const sealed = readdirSync(dir)
    .filter((name) => name.endsWith('.log.gz'))
    .sort()
  if (sealed.length < 3)
    throw new Error(`expected 3 or more sealed segments, found ${sealed.length}`)
  const file = sealed[1]!
  const path = join(dir, file)
  flipByte(path, Math.floor(statSync(path).size / 2), 0x10)
  return { file }
}
