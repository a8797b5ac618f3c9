import { describe, expect, it, vi } from 'vitest'
import { ValidationError } from '../../../src/main/engine/errors'
import { BATCH_EVENTS_MAX, ID_FIELD_CHARS_MAX } from '../../../src/main/engine/limits'
import { PATH_CHARS_MAX } from '../../../src/main/rpc/argSchemas'
import { createDispatcher } from '../../../src/main/rpc/dispatcher'
import type { Result, StoreApiMethod } from '../../../src/shared/storeApi'
import { BROWSING_METHODS, LOAD_RATE_MAX, STORE_API_METHODS } from '../../../src/shared/storeApi'
import { fakeStoreApi, VALID_ARGS } from './fakeStoreApi'

/** One bad argument per method, and the field its validation error must name. */
const BAD_ARGS: { [M in StoreApiMethod]: { args: unknown; field: string } } = {
  listRecent: { args: {}, field: 'args' },
  openStore: { args: { path: '/s', access: 'admin' }, field: 'args.access' },
  createStore: { args: { path: 'x'.repeat(PATH_CHARS_MAX + 1) }, field: 'args.path' },
  openDemo: { args: 'demo', field: 'args' },
  closeStore: { args: {}, field: 'args.handle' },
  listOpen: { args: null, field: 'args' },
  summary: { args: { handle: 7 }, field: 'args.handle' },
  query: { args: { handle: 'h', query: [] }, field: 'args.query' },
  getEvent: { args: { handle: 'h' }, field: 'args' },
  getRawRecord: { args: { handle: 'h', sequence: 0 }, field: 'args.sequence' },
  subscribe: { args: { handle: 'h', filter: {}, from_sequence: 1.5 }, field: 'args.from_sequence' },
  unsubscribe: { args: { subscription_id: '' }, field: 'args.subscription_id' },
  listSegments: { args: { handle: 'h', path: '/etc' }, field: 'args.path' },
  startVerification: {
    args: { handle: 'h', file: 'f'.repeat(ID_FIELD_CHARS_MAX + 1) },
    field: 'args.file',
  },
  cancelJob: { args: { job_id: null }, field: 'args.job_id' },
  getJob: { args: undefined, field: 'args' },
  runRecovery: { args: [], field: 'args' },
  rebuildIndexes: { args: { handle: 7 }, field: 'args.handle' },
  listRecoveryReports: { args: { handle: ['h'] }, field: 'args.handle' },
  getRecoveryReport: { args: { handle: 'h' }, field: 'args.id' },
  slaSnapshot: { args: { handle: 'h', extra: 1 }, field: 'args.extra' },
  slaHistory: { args: { handle: {} }, field: 'args.handle' },
  setSlaThresholds: {
    args: { handle: 'h', patch: { triggers: { disk_usage: { warning: -1 } } } },
    field: 'args.patch.triggers.disk_usage.warning',
  },
  approveRecovery: { args: { handle: '' }, field: 'args.handle' },
  health: { args: { handle: 'h'.repeat(ID_FIELD_CHARS_MAX + 1) }, field: 'args.handle' },
  append: { args: { handle: 'h', events: [{}, 'not an event'] }, field: 'args.events[1]' },
  startLoad: {
    args: { handle: 'h', settings: { rate: LOAD_RATE_MAX + 1, shape: 'demo' } },
    field: 'args.settings.rate',
  },
  stopLoad: { args: { handle: 'h', force: true }, field: 'args.force' },
  startServer: { args: { handle: 'h', port: 65_536 }, field: 'args.port' },
  stopServer: { args: { handle: 'h', port: 8765 }, field: 'args.port' },
  serverStatus: { args: {}, field: 'args.handle' },
}

describe('dispatcher', () => {
  it.each(STORE_API_METHODS)(
    'passes valid arguments of %s to the API and returns its result',
    async (method) => {
      const api = fakeStoreApi()
      const dispatch = createDispatcher({ api })

      const result = await dispatch(method, VALID_ARGS[method])

      expect(result).toEqual({ ok: true, value: method })
      expect(api[method]).toHaveBeenCalledExactlyOnceWith(VALID_ARGS[method])
    },
  )

  it.each(STORE_API_METHODS)(
    'refuses bad arguments of %s with a validation error naming the field',
    async (method) => {
      const api = fakeStoreApi()
      const dispatch = createDispatcher({ api })
      const { args, field } = BAD_ARGS[method]

      const result = await dispatch(method, args)

      expect(result).toMatchObject({ ok: false, error: { code: 'validation' } })
      expect(errorMessage(result).startsWith(`${field} `)).toBe(true)
      expect(api[method]).not.toHaveBeenCalled()
    },
  )

  it('names the limit a too-large batch breaks', async () => {
    const events = Array.from({ length: BATCH_EVENTS_MAX + 1 }, () => ({}))
    const result = await createDispatcher({ api: fakeStoreApi() })('append', {
      handle: 'h',
      events,
    })

    expect(result).toMatchObject({ ok: false, error: { code: 'validation' } })
    expect(errorMessage(result)).toContain(`at most ${BATCH_EVENTS_MAX} items`)
  })

  it('refuses a getEvent naming both an id and a sequence', async () => {
    const result = await createDispatcher({ api: fakeStoreApi() })('getEvent', {
      handle: 'h',
      event_id: 'e',
      sequence: 1,
    })
    expect(result).toMatchObject({ ok: false, error: { code: 'validation' } })
  })

  it('does not let a __proto__ key through as a field', async () => {
    const api = fakeStoreApi()
    const args: unknown = JSON.parse('{"handle":"h","__proto__":{"polluted":true}}')
    const result = await createDispatcher({ api })('summary', args)

    expect(result).toMatchObject({ ok: false, error: { code: 'validation' } })
    expect(errorMessage(result)).toMatch(/^args.__proto__ is not a known field/)
    expect(api.summary).not.toHaveBeenCalled()
  })

  it.each([
    ['nope'],
    ['constructor'],
    ['__proto__'],
    ['toString'],
    [42],
    [null],
    ['x'.repeat(10_000)],
  ])('answers unknown_method for %j and calls nothing', async (method) => {
    const api = fakeStoreApi()
    const result = await createDispatcher({ api })(method, undefined)

    expect(result).toMatchObject({ ok: false, error: { code: 'unknown_method' } })
    expect(errorMessage(result).length).toBeLessThan(200)
    for (const name of STORE_API_METHODS) expect(api[name]).not.toHaveBeenCalled()
  })

  it.each(BROWSING_METHODS)(
    'answers not_available for %s when the transport leaves it out',
    async (method) => {
      const api = fakeStoreApi()
      const result = await createDispatcher({ api, unavailable: BROWSING_METHODS })(
        method,
        VALID_ARGS[method],
      )

      expect(result).toMatchObject({ ok: false, error: { code: 'not_available' } })
      expect(api[method]).not.toHaveBeenCalled()
    },
  )

  it('maps an exception thrown by the API to internal, and reports it', async () => {
    const api = fakeStoreApi()
    const bug = new Error('boom at /home/user/secret')
    api.summary.mockImplementation(() => {
      throw bug
    })
    api.health.mockRejectedValue(bug)
    const onInternalError = vi.fn()
    const dispatch = createDispatcher({ api, onInternalError })

    for (const method of ['summary', 'health'] as const) {
      const result = await dispatch(method, { handle: 'h' })
      expect(result).toMatchObject({ ok: false, error: { code: 'internal' } })
      expect(errorMessage(result)).not.toContain('secret')
    }
    expect(onInternalError.mock.calls).toEqual([
      ['summary', bug],
      ['health', bug],
    ])
  })

  it('maps an answer that is not a Result to internal', async () => {
    const api = fakeStoreApi()
    api.listOpen.mockResolvedValue(undefined)
    const result = await createDispatcher({ api, onInternalError: vi.fn() })('listOpen', undefined)

    expect(result).toMatchObject({ ok: false, error: { code: 'internal' } })
  })

  it("keeps the code of the engine's ValidationError when the API lets one through", async () => {
    const api = fakeStoreApi()
    api.append.mockRejectedValue(
      new ValidationError('events[0]', 'is larger than 1048576 bytes', 'event_too_large'),
    )
    const result = await createDispatcher({ api })('append', VALID_ARGS.append)

    expect(result).toEqual({
      ok: false,
      error: { code: 'event_too_large', message: 'events[0] is larger than 1048576 bytes' },
    })
  })

  it('calls the API as a method, so a class instance keeps its this', async () => {
    const api = fakeStoreApi()
    await createDispatcher({ api })('listOpen', undefined)
    expect(api.listOpen.mock.contexts[0]).toBe(api)
  })
})

function errorMessage(result: Result<unknown>): string {
  return result.ok ? '' : result.error.message
}
