/** renderInspector renders UI over a fresh Inspector built on a fake connection. */
import { act, render } from '@testing-library/react'
import type { ReactElement } from 'react'
import { createInspector } from '../../../src/renderer/src/state/createInspector'
import type { Inspector } from '../../../src/renderer/src/state/createInspector'
import { InspectorProvider } from '../../../src/renderer/src/state/InspectorContext'
import { createFakeApi, fakeConnection } from './fakeApi'
import './resizeObserverStub'
import type { FakeApi, FakeConnection } from './fakeApi'
import type { BridgeKind } from '../../../src/renderer/src/api/storeConnection'

export interface Rendered {
  fake: FakeApi
  connection: FakeConnection
  inspector: Inspector
  result: ReturnType<typeof render>
}

export function renderInspector(
  ui: ReactElement,
  options: { fake?: FakeApi; kind?: BridgeKind } = {},
): Rendered {
  const fake = options.fake ?? createFakeApi()
  const connection = fakeConnection(fake.api, options.kind ?? 'electron')
  const inspector = createInspector(connection)
  const result = render(<InspectorProvider inspector={inspector}>{ui}</InspectorProvider>)
  return { fake, connection, inspector, result }
}

/** settle lets pending fake calls and the state updates they cause finish. */
export async function settle(): Promise<void> {
  await act(async () => {
    for (let round = 0; round < 10; round += 1) await Promise.resolve()
  })
}

/** renderShownStore renders UI after the page's start has shown the fake's open store. */
export async function renderShownStore(
  ui: ReactElement,
  options: { fake?: FakeApi; kind?: BridgeKind } = {},
): Promise<Rendered> {
  const rendered = renderInspector(ui, options)
  await act(() => rendered.inspector.loadStart())
  await settle()
  return rendered
}

/** deferred is a promise the test resolves when it wants a fake call to answer. */
export function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void
  const promise = new Promise<T>((done) => (resolve = done))
  return { promise, resolve }
}
