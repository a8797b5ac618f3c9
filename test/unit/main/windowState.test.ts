import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  DEFAULT_WINDOW_STATE,
  loadWindowState,
  parseWindowState,
  saveWindowState,
  WINDOW_STATE_BYTES_MAX,
  WINDOW_STATE_FILE_NAME,
} from '../../../src/main/shell/windowState'
import { tempDir } from '../../support/tempDir'

const display = { x: 0, y: 0, width: 1920, height: 1040 }
const rightDisplay = { x: 1920, y: 0, width: 1280, height: 1000 }

describe('window state', () => {
  it('keeps a valid position on a display', () => {
    const stored = { bounds: { x: 100, y: 50, width: 1000, height: 700 }, maximized: true }
    expect(parseWindowState(stored, [display])).toEqual(stored)
  })

  it('keeps a position on a second display while it is connected', () => {
    const stored = { bounds: { x: 2000, y: 10, width: 800, height: 600 }, maximized: false }
    expect(parseWindowState(stored, [display, rightDisplay])).toEqual(stored)
    expect(parseWindowState(stored, [display]).bounds).toEqual({ width: 800, height: 600 })
  })

  it.each([
    ['left of every display', { x: -5000, y: 100 }],
    ['below every display', { x: 100, y: 5000 }],
    ['with its title bar above the top', { x: 100, y: -20 }],
    ['with only a sliver showing', { x: 1900, y: 100 }],
  ])('ignores a position %s and lets the system place the window', (_name, position) => {
    const state = parseWindowState({ bounds: { ...position, width: 800, height: 600 } }, [display])
    expect(state.bounds).toEqual({ width: 800, height: 600 })
  })

  it.each([
    ['not an object', 'big'],
    ['null', null],
    ['no bounds', { maximized: true }],
    ['a width below the minimum', { bounds: { width: 10, height: 600 } }],
    ['a height above the maximum', { bounds: { width: 800, height: 1e9 } }],
    ['a fractional size', { bounds: { width: 800.5, height: 600 } }],
    ['a size given as strings', { bounds: { width: '800', height: '600' } }],
  ])('falls back to the defaults for %s', (_name, stored) => {
    expect(parseWindowState(stored, [display])).toEqual(DEFAULT_WINDOW_STATE)
  })

  it('reads back what it saved', async () => {
    const dir = tempDir()
    const state = { bounds: { x: 40, y: 30, width: 900, height: 640 }, maximized: false }
    await saveWindowState(dir, state)
    await expect(loadWindowState(dir, [display])).resolves.toEqual(state)
  })

  it('falls back to the defaults for a missing, damaged or oversized file', async () => {
    const dir = tempDir()
    await expect(loadWindowState(dir, [display])).resolves.toEqual(DEFAULT_WINDOW_STATE)

    writeFileSync(join(dir, WINDOW_STATE_FILE_NAME), '{"bounds":')
    await expect(loadWindowState(dir, [display])).resolves.toEqual(DEFAULT_WINDOW_STATE)

    const padded = JSON.stringify({
      bounds: { width: 900, height: 640 },
      pad: 'x'.repeat(WINDOW_STATE_BYTES_MAX),
    })
    writeFileSync(join(dir, WINDOW_STATE_FILE_NAME), padded)
    await expect(loadWindowState(dir, [display])).resolves.toEqual(DEFAULT_WINDOW_STATE)
  })
})
