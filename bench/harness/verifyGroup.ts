import * as fs from 'node:fs'
import { join } from 'node:path'
import { startVerification } from '../../src/main/engine/verifyJob'
import { rawVerifyFloor } from '../rawVerifyFloor'
import { ENGINE } from './appendGroups'
import type { BenchResults } from './benchResults'
import type { HarnessOptions } from './harnessOptions'
import { interleave } from './interleave'
import type { ReadStores } from './readStores'

export const VERIFY = 'verify all (2 threads)'
export const VERIFY_RATE = 'uncompressed MB/s'
export const RAW_GUNZIP = 'raw gunzip'
export const RAW_GUNZIP_SHA = 'raw gunzip + SHA-256 per record'
const THREADS = 2

/**
 * verifyGroup runs the verification job (every record's header and SHA-256, every file's
 * accounting) beside the raw work it cannot avoid on the sealed segments, on as many
 * threads: inflating them, and inflating plus hashing each record's payload.
 */
export async function verifyGroup(
  options: HarnessOptions,
  stores: ReadStores,
  results: BenchResults,
): Promise<void> {
  const sealed = fs
    .readdirSync(stores.engineDir)
    .filter((name) => name.endsWith('.log.gz'))
    .map((name) => join(stores.engineDir, name))
  const timed = (contender: string, run: () => Promise<number>) => ({
    contender,
    run: async () => {
      const started = performance.now()
      const bytes = await run()
      const mbps = bytes / 1e6 / ((performance.now() - started) / 1000)
      results.add({ group: VERIFY, contender, metric: VERIFY_RATE, unit: 'MB/s' }, mbps)
    },
  })
  await interleave(
    [
      timed(ENGINE, async () => {
        const result = await startVerification(stores.engineDir, { workerCount: THREADS }).done
        if (!result.ok) throw new Error('The verification job found damage in the bench store.')
        return result.raw_bytes_done
      }),
      timed(RAW_GUNZIP, () => rawVerifyFloor(sealed, THREADS, { gunzip: true, hash: 'none' })),
      timed(RAW_GUNZIP_SHA, () =>
        rawVerifyFloor(sealed, THREADS, { gunzip: true, hash: 'records' }),
      ),
    ],
    options.scanRounds,
  )
}
