import type { EventInput } from '../../../src/shared/event'
import type { ServedStore } from './servedStore'

/**
 * appendOverHttp stores events through serve's HTTP API with the admin token, as another
 * program would (the CLI cannot append while serve holds the writer lock): one event goes
 * to POST /events, several to POST /events/batch. It returns the response, so a test can
 * check a refusal as well as a success.
 */
export async function appendOverHttp(served: ServedStore, events: EventInput[]): Promise<Response> {
  const [path, body] = events.length === 1 ? ['/events', events[0]] : ['/events/batch', { events }]
  return fetch(`${served.url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${served.token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
}

/** appendOk is appendOverHttp for setup steps that must succeed. */
export async function appendOk(served: ServedStore, events: EventInput[]): Promise<void> {
  const response = await appendOverHttp(served, events)
  if (response.status !== 201) {
    throw new Error(`POST answered ${response.status}: ${await response.text()}`)
  }
}
