import type { EventStore } from '../../src/main/engine/eventStore'

/**
 * appendPlan appends events 1, 2, 3, … made by `make`, grouped as `plan` says: a 1 is a
 * single append, any other size an atomic batch. Returns how many events were appended.
 */
export async function appendPlan(
  store: EventStore,
  plan: readonly number[],
  make: (n: number) => object,
): Promise<number> {
  let events = 0
  for (const size of plan) {
    const inputs = Array.from({ length: size }, () => make(++events))
    if (size === 1) await store.append(inputs[0])
    else await store.appendBatch(inputs)
  }
  return events
}
