// A real `serve` process takes appends from concurrent HTTP clients and gets SIGTERM in the
// middle of them. It must finish what it accepted, close the store cleanly and exit 0; then
// every acknowledged (201) event is in the store, and nothing is there that was not sent.
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { EventStore } from '../../src/main/engine/eventStore'
import { SLA_SOURCE_COMPONENT } from '../../src/main/engine/sla/transitionEvent'
import { addToken, TOKEN_FILE_NAME } from '../../src/main/server/tokenFile'
import type { StoredEvent } from '../../src/shared/event'
import { BUILT_CLI, useBuiltCli } from '../support/builtCli'
import { tempDir } from '../support/tempDir'

/** Concurrent HTTP appenders. */
const CLIENTS = 16
/** Acknowledgements to collect before the SIGTERM. */
const ACKS_BEFORE_SIGTERM = 400
/** The server must be gone this long after SIGTERM. */
const EXIT_MS_MAX = 20_000

interface Ack {
  sequence: number
  event_id: string
  aggregate_id: string
}

describe('serve, SIGTERM under load', () => {
  const children = useBuiltCli()

  it('answers or refuses every request, exits 0, and every 201 is stored', async () => {
    const dir = tempDir()
    const storeDir = join(dir, 'store')
    await (await EventStore.open(storeDir, { create: true })).close()
    const token = await addToken(join(storeDir, TOKEN_FILE_NAME), 'load', ['events.write'])

    const child = spawn(process.execPath, [BUILT_CLI, 'serve', storeDir, '--port', '0'])
    children.add(child)
    const url = await serverUrl(child.stdout)

    const acks: Ack[] = []
    const sent = new Set<string>()
    let signalled = false
    const client = async (worker: number): Promise<void> => {
      for (let n = 0; ; n++) {
        const aggregate_id = `w${worker}-${n}`
        sent.add(aggregate_id)
        let response: Response
        try {
          response = await fetch(`${url}/events`, {
            method: 'POST',
            headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
            body: JSON.stringify({ event_type: 'load_test', aggregate_id, data: { n } }),
          })
        } catch {
          return // refused: the server has stopped listening
        }
        const body = (await response.json()) as {
          sequence: number
          event_id: string
          code?: string
        }
        if (response.status === 201) {
          acks.push({ sequence: body.sequence, event_id: body.event_id, aggregate_id })
        } else {
          expect(response.status, `unexpected answer ${JSON.stringify(body)}`).toBe(503)
          return
        }
        if (!signalled && acks.length >= ACKS_BEFORE_SIGTERM) {
          signalled = true
          child.kill('SIGTERM')
        }
      }
    }
    const exited = once(child, 'exit')
    await Promise.all(Array.from({ length: CLIENTS }, (_, worker) => client(worker)))
    const [code] = (await Promise.race([
      exited,
      new Promise((_, reject) =>
        setTimeout(() => reject(new Error('serve did not exit')), EXIT_MS_MAX),
      ),
    ])) as [number | null]
    expect(code).toBe(0)
    children.delete(child)

    const store = await EventStore.open(storeDir, { access: 'read' })
    const stored: StoredEvent[] = []
    try {
      // The store's own SLA transition events (a loaded machine may cross a warning) are
      // not the clients'.
      await store.readAll((event) => {
        if (event.source_component !== SLA_SOURCE_COMPONENT) stored.push(event)
      })
    } finally {
      await store.close()
    }
    expect(store.mode).not.toBe('needs_recovery')
    const bySequence = new Map(stored.map((event) => [event.sequence, event]))
    for (const ack of acks) {
      expect(bySequence.get(ack.sequence)?.aggregate_id, `ack ${ack.sequence}`).toBe(
        ack.aggregate_id,
      )
      expect(bySequence.get(ack.sequence)?.event_id).toBe(ack.event_id)
    }
    for (const event of stored) expect(sent.has(event.aggregate_id)).toBe(true)
    console.log(`serve shutdown: ${acks.length} acknowledged, ${stored.length} stored`)
    expect(stored.length).toBe(acks.length)
    expect(acks.length).toBeGreaterThanOrEqual(ACKS_BEFORE_SIGTERM)
  })
})

/**
 * serverUrl reads `serve`'s stdout until it prints the URL it serves, and keeps reading it
 * afterwards: closing the pipe would make serve's next write fail with EPIPE.
 */
function serverUrl(stdout: NodeJS.ReadableStream): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = ''
    stdout.on('data', (chunk: Buffer) => {
      text += String(chunk)
      const match = / at (http:\/\/[^\s]+)\n/.exec(text)
      if (match) resolve(match[1]!)
    })
    stdout.once('end', () => reject(new Error(`serve printed no URL: ${text}`)))
  })
}
