import { request as httpRequest, type IncomingMessage } from 'node:http'
import { onTestFinished } from 'vitest'

export interface SseEvent {
  id: string | undefined
  event: string | undefined
  data: string
}

/**
 * openSseStream opens an SSE request (GET /events/stream) with `headers` and collects the
 * parsed events as they arrive; the response is destroyed when the test finishes.
 */
export function openSseStream(
  port: number,
  path: string,
  headers: Record<string, string>,
): Promise<{
  response: IncomingMessage
  events: SseEvent[]
  next: (count: number) => Promise<SseEvent[]>
}> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({
      host: '127.0.0.1',
      port,
      path,
      headers,
    })
    req.on('error', reject)
    req.on('response', (response) => {
      const events: SseEvent[] = []
      const waiters: (() => void)[] = []
      let buffer = ''
      response.setEncoding('utf8')
      response.on('data', (chunk: string) => {
        buffer += chunk
        let end: number
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end)
          buffer = buffer.slice(end + 2)
          const fields = new Map<string, string>()
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) continue
            const colon = line.indexOf(': ')
            fields.set(line.slice(0, colon), line.slice(colon + 2))
          }
          if (fields.has('data')) {
            events.push({
              id: fields.get('id'),
              event: fields.get('event'),
              data: fields.get('data')!,
            })
          }
        }
        for (const wake of waiters.splice(0)) wake()
      })
      const next = async (count: number): Promise<SseEvent[]> => {
        while (events.length < count) await new Promise<void>((wake) => waiters.push(wake))
        return events.slice(0, count)
      }
      onTestFinished(() => {
        response.destroy()
      })
      resolve({ response, events, next })
    })
    req.end()
  })
}
