// @vitest-environment jsdom
import { describe, expect, it } from 'vitest'
import { bannersOf } from '../../../src/renderer/src/shell/banners'
import type { BannerInput } from '../../../src/renderer/src/shell/banners'
import { makeSummary } from '../support/fakeApi'

const calm: BannerInput = {
  bridge: 'browser',
  connection: 'open',
  lastError: null,
  store: makeSummary(),
  sla: null,
}

describe('bannersOf', () => {
  it.each<[string, Partial<BannerInput>, string[], string]>([
    ['nothing when all is well', {}, [], ''],
    ['a lost connection', { connection: 'reconnecting' }, ['connection'], 'Reconnecting'],
    [
      'the last failed action, dismissable',
      { lastError: { code: 'io_error', message: 'Disk gone.', action: 'Listing the segments' } },
      ['error'],
      'Listing the segments failed: Disk gone.',
    ],
    [
      'a damaged store, with the way to Files and Recovery',
      { store: makeSummary({ mode: 'needs_recovery', reason: 'Bad checksum at 4096.' }) },
      ['mode'],
      'Bad checksum at 4096.',
    ],
    [
      'emergency mode',
      { store: makeSummary({ sla_level: 'EMERGENCY' }) },
      ['sla'],
      'appends are refused',
    ],
  ])('shows %s', (_name, change, ids, text) => {
    const banners = bannersOf({ ...calm, ...change })
    expect(banners.map((banner) => banner.id)).toEqual(ids)
    expect(banners.map((banner) => banner.message).join(' ')).toContain(text)
  })

  it('offers Files and Recovery for damage and a dismiss for errors', () => {
    const banners = bannersOf({
      ...calm,
      lastError: { code: 'internal', message: 'x', action: 'y' },
      store: makeSummary({ mode: 'needs_recovery' }),
    })
    expect(banners.map((banner) => banner.actions)).toEqual([['dismiss'], ['files', 'recovery']])
  })
})
