/**
 * The main window's size and position, remembered across launches in a small JSON file in
 * userData. The file is read as untrusted input: a bad or oversized file, or a position on
 * a display that is gone, falls back to defaults instead of opening the window off-screen.
 */
import { randomBytes } from 'node:crypto'
import { readFile, rename, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'

export const WINDOW_STATE_FILE_NAME = 'window-state.json'
/** A larger file is not ours to read. */
export const WINDOW_STATE_BYTES_MAX = 4096
export const WINDOW_WIDTH_MIN = 640
export const WINDOW_HEIGHT_MIN = 400
export const WINDOW_SIDE_MAX = 16_384
/** A remembered position is kept when this much of the title strip is on some display. */
export const TITLE_STRIP_HEIGHT_PX = 32
export const TITLE_STRIP_VISIBLE_WIDTH_MIN_PX = 100

export interface Rectangle {
  x: number
  y: number
  width: number
  height: number
}

/** WindowBounds leaves out x and y when the system should place the window. */
export interface WindowBounds {
  x?: number
  y?: number
  width: number
  height: number
}

export interface WindowState {
  bounds: WindowBounds
  maximized: boolean
}

export const DEFAULT_WINDOW_STATE: WindowState = Object.freeze({
  bounds: Object.freeze({ width: 1280, height: 800 }),
  maximized: false,
})

/** parseWindowState keeps what is valid in a stored state and visible on `workAreas`. */
export function parseWindowState(stored: unknown, workAreas: readonly Rectangle[]): WindowState {
  if (typeof stored !== 'object' || stored === null) return DEFAULT_WINDOW_STATE
  const { bounds, maximized } = stored as { bounds?: unknown; maximized?: unknown }
  if (typeof bounds !== 'object' || bounds === null) return DEFAULT_WINDOW_STATE
  const { x, y, width, height } = bounds as Record<string, unknown>
  if (!isSide(width, WINDOW_WIDTH_MIN) || !isSide(height, WINDOW_HEIGHT_MIN)) {
    return DEFAULT_WINDOW_STATE
  }
  const size = { width, height }
  const placed =
    isCoordinate(x) && isCoordinate(y) && titleStripVisible({ x, y, ...size }, workAreas)
  return {
    bounds: placed ? { x, y, ...size } : size,
    maximized: maximized === true,
  }
}

/** loadWindowState reads the state file in `dir`; any problem yields the defaults. */
export async function loadWindowState(
  dir: string,
  workAreas: readonly Rectangle[],
): Promise<WindowState> {
  const file = join(dir, WINDOW_STATE_FILE_NAME)
  try {
    if ((await stat(file)).size > WINDOW_STATE_BYTES_MAX) return DEFAULT_WINDOW_STATE
    return parseWindowState(JSON.parse(await readFile(file, 'utf8')), workAreas)
  } catch {
    // Missing on first launch, or damaged: either way the defaults are right.
    return DEFAULT_WINDOW_STATE
  }
}

/** saveWindowState replaces the state file whole, so a crash never leaves half of one. */
export async function saveWindowState(dir: string, state: WindowState): Promise<void> {
  const file = join(dir, WINDOW_STATE_FILE_NAME)
  const temporary = `${file}.${randomBytes(6).toString('hex')}.tmp`
  await writeFile(temporary, JSON.stringify(state))
  await rename(temporary, file)
}

function isSide(value: unknown, min: number): value is number {
  return (
    Number.isSafeInteger(value) && (value as number) >= min && (value as number) <= WINDOW_SIDE_MAX
  )
}

function isCoordinate(value: unknown): value is number {
  return Number.isSafeInteger(value) && Math.abs(value as number) <= WINDOW_SIDE_MAX * 4
}

/** titleStripVisible: the user can grab the window's title bar on one of the displays. */
function titleStripVisible(bounds: Rectangle, workAreas: readonly Rectangle[]): boolean {
  return workAreas.some((area) => {
    const left = Math.max(bounds.x, area.x)
    const right = Math.min(bounds.x + bounds.width, area.x + area.width)
    const top = bounds.y
    return (
      right - left >= TITLE_STRIP_VISIBLE_WIDTH_MIN_PX &&
      top >= area.y &&
      top + TITLE_STRIP_HEIGHT_PX <= area.y + area.height
    )
  })
}
