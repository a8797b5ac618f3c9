import type { MenuItemConstructorOptions } from 'electron'
import { describe, expect, it, vi } from 'vitest'
import type { Mock } from 'vitest'
import type { MenuActions } from '../../../src/main/shell/menu'
import { buildMenuTemplate, RECENT_MENU_ITEMS_MAX } from '../../../src/main/shell/menu'

function fakeActions(): { [K in keyof MenuActions]: Mock<MenuActions[K]> } {
  return {
    openStore: vi.fn(),
    openRecent: vi.fn(),
    newStore: vi.fn(),
    openDemo: vi.fn(),
    verify: vi.fn(),
    runRecovery: vi.fn(),
  }
}

function menu(
  options: { development?: boolean; recentPaths?: string[]; platform?: NodeJS.Platform } = {},
) {
  const actions = fakeActions()
  const template = buildMenuTemplate({
    actions,
    recentPaths: options.recentPaths ?? [],
    development: options.development ?? false,
    platform: options.platform ?? 'linux',
  })
  return { actions, items: flatten(template) }
}

function flatten(items: MenuItemConstructorOptions[]): MenuItemConstructorOptions[] {
  return items.flatMap((item) => [
    item,
    ...(Array.isArray(item.submenu) ? flatten(item.submenu) : []),
  ])
}

function item(items: MenuItemConstructorOptions[], label: string): MenuItemConstructorOptions {
  const found = items.find((candidate) => candidate.label === label)
  if (found === undefined) throw new Error(`no menu item ${label}`)
  return found
}

function click(menuItem: MenuItemConstructorOptions): void {
  ;(menuItem.click as () => void)()
}

describe('application menu', () => {
  it.each([
    ['Open Store…', 'openStore'],
    ['New Store…', 'newStore'],
    ['Open Demo Store', 'openDemo'],
    ['Verify', 'verify'],
    ['Run Recovery', 'runRecovery'],
  ] as const)('%s starts its action', (label, action) => {
    const { actions, items } = menu()
    click(item(items, label))
    expect(actions[action]).toHaveBeenCalledOnce()
  })

  it('lists recent stores, newest first and bounded, and opens the one clicked', () => {
    const recentPaths = Array.from(
      { length: RECENT_MENU_ITEMS_MAX + 5 },
      (_, index) => `/stores/${index}`,
    )
    const { actions, items } = menu({ recentPaths })
    const recent = item(items, 'Open Recent').submenu as MenuItemConstructorOptions[]

    expect(recent.map((entry) => entry.label)).toEqual(recentPaths.slice(0, RECENT_MENU_ITEMS_MAX))
    click(item(recent, '/stores/1'))
    expect(actions.openRecent).toHaveBeenCalledExactlyOnceWith('/stores/1')
  })

  it('disables Open Recent while there is nothing to list', () => {
    expect(item(menu().items, 'Open Recent').enabled).toBe(false)
  })

  it('offers Reload always and DevTools only in development', () => {
    const roles = (development: boolean) => menu({ development }).items.map((entry) => entry.role)
    expect(roles(false)).toContain('reload')
    expect(roles(false)).not.toContain('toggleDevTools')
    expect(roles(true)).toContain('toggleDevTools')
  })

  it('starts with the app menu on macOS only', () => {
    expect(menu({ platform: 'darwin' }).items[0]?.role).toBe('appMenu')
    expect(menu({ platform: 'win32' }).items.map((entry) => entry.role)).not.toContain('appMenu')
  })
})
