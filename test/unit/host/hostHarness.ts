import { mkdtempSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach } from 'vitest'
import type { PushBatch, PushEvent } from '../../../src/shared/push'
import type { Result } from '../../../src/shared/storeApi'
import { EventStore } from '../../../src/main/engine/eventStore'
import type { HostOptions } from '../../../src/main/host/storeHost'
import { StoreHost } from '../../../src/main/host/storeHost'
import type { HostClient } from '../../../src/main/host/hostClient'
import { builtVerifyWorker } from '../../support/builtWorker'
import { tempDir } from '../../support/tempDir'

/**
 * Shared setup of the host tests: hosts over temp directories, closed when the test ends;
 * a sink that records every push; small stores built directly with the engine.
 */

/** Warnings the host logged during the current test (a corrupt config file, say). */
export const logged: string[] = []

export function hostOptions(extra: HostOptions = {}): HostOptions {
  logged.length = 0
  return {
    verifyWorkerPath: builtVerifyWorker(),
    log: (message) => logged.push(message),
    ...extra,
  }
}

/** Hosts and clients of the current test, closed before its temp directories are removed. */
const closing: { close(): Promise<void> }[] = []
afterEach(async () => {
  for (const item of closing.splice(0).reverse()) await item.close()
})

export function makeHost(
  extra: HostOptions = {},
  dirs = { configDir: tempDir(), userDataDir: tempDir() },
) {
  const host = StoreHost.create({ ...hostOptions(extra), ...dirs })
  closing.push(host)
  return { host, ...dirs }
}

/** closeAfterTest closes `host` when the test ends, before its directories go. */
export function closeAfterTest<T extends { close(): Promise<void> }>(host: T): T {
  closing.push(host)
  return host
}

/** Recorder is a sink that keeps every batch it is given. */
export class Recorder {
  readonly batches: { atMs: number; batch: PushBatch }[] = []
  readonly sink = (batch: PushBatch): void => {
    this.batches.push({ atMs: performance.now(), batch })
  }

  pushes(): PushEvent[] {
    return this.batches.flatMap((b) => b.batch)
  }

  of<T extends PushEvent['type']>(type: T): Extract<PushEvent, { type: T }>[] {
    return this.pushes().filter((p): p is Extract<PushEvent, { type: T }> => p.type === type)
  }
}

export function connect(
  host: StoreHost,
  recorder = new Recorder(),
): { client: HostClient; recorder: Recorder } {
  const client = host.connect(recorder.sink)
  closing.push(client)
  return { client, recorder }
}

/** value unwraps an ok Result, failing the test with the error otherwise. */
export function value<T>(result: Result<T>): T {
  if (!result.ok) throw new Error(`expected ok, got ${result.error.code}: ${result.error.message}`)
  return result.value
}

/** errorCode is the code of a failed Result. */
export function errorCode(result: Result<unknown>): string {
  if (result.ok)
    throw new Error(`expected an error, got ${JSON.stringify(result.value).slice(0, 200)}`)
  return result.error.code
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** until polls `predicate` until it holds; generous, because the machine is shared. */
export async function until(
  what: string,
  predicate: () => boolean | Promise<boolean>,
  timeoutMs = 15_000,
): Promise<void> {
  const started = Date.now()
  while (!(await predicate())) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`)
    await sleep(10)
  }
}

export const smallEvent = (n: number) => ({
  event_type: 'agent_heartbeat',
  aggregate_id: `agent-${n % 5}`,
  data: { n, pad: 'p'.repeat(200) },
})

/** buildStore makes a closed store of `events` events with small segments (several sealed). */
export async function buildStore(events: number, segmentBytesMax = 16 * 1024): Promise<string> {
  const dir = join(mkdtempSync(join(tempDir(), 'store-')), 'store')
  const store = await EventStore.open(dir, { create: true, segmentBytesMax })
  for (let n = 1; n <= events; n += 100) {
    const count = Math.min(100, events - n + 1)
    await store.appendBatch(Array.from({ length: count }, (_, i) => smallEvent(n + i)))
  }
  await store.idle()
  await store.close()
  return dir
}
