/**
 * Navigation: the view on screen, and a command waiting for the view that carries it out.
 * The native menu's Verify and Run Recovery arrive as pushes; they land here so the Files
 * and Recovery views can act on them when they mount, then mark them done. A folder dropped
 * on the window waits here the same way for the Start view, which opens it and, if that
 * fails, offers what can be done instead.
 */
import type { EventFilter } from '../../../shared/query'
import type { StoreHandle } from '../../../shared/storeApi'

export const VIEW_IDS = [
  'start',
  'live',
  'query',
  'files',
  'recovery',
  'performance',
  'health',
] as const
export type ViewId = (typeof VIEW_IDS)[number]

export type CommandKind = 'verify' | 'run_recovery'

export interface PendingCommand {
  /** Distinguishes two identical menu clicks. */
  id: number
  kind: CommandKind
  handle: StoreHandle
}

/** OpenRequest is a folder to open, dropped on the window. */
export interface OpenRequest {
  /** Distinguishes two drops of the same folder. */
  id: number
  path: string
}

export interface NavigationState {
  view: ViewId
  command: PendingCommand | null
  openRequest: OpenRequest | null
  /** The filter the Query view starts from, e.g. an event's correlation chain. */
  queryFilter: EventFilter | null
  /** Commands and open requests issued so far; the next one's id. */
  commandsIssued: number
  helpOpen: boolean
}

export function initialNavigation(): NavigationState {
  return {
    view: 'start',
    command: null,
    openRequest: null,
    queryFilter: null,
    commandsIssued: 0,
    helpOpen: false,
  }
}

/** COMMAND_VIEWS says which view carries out each command. */
export const COMMAND_VIEWS: Record<CommandKind, ViewId> = {
  verify: 'files',
  run_recovery: 'recovery',
}

export function navigationWithCommand(
  navigation: NavigationState,
  kind: CommandKind,
  handle: StoreHandle,
): NavigationState {
  const id = navigation.commandsIssued + 1
  return {
    ...navigation,
    view: COMMAND_VIEWS[kind],
    command: { id, kind, handle },
    commandsIssued: id,
  }
}

/** navigationWithoutCommand marks a command done; a newer one is left waiting. */
export function navigationWithoutCommand(navigation: NavigationState, id: number): NavigationState {
  if (navigation.command?.id !== id) return navigation
  return { ...navigation, command: null }
}

/** navigationWithOpenRequest shows the Start view with a folder for it to open. */
export function navigationWithOpenRequest(
  navigation: NavigationState,
  path: string,
): NavigationState {
  const id = navigation.commandsIssued + 1
  return { ...navigation, view: 'start', openRequest: { id, path }, commandsIssued: id }
}

/** navigationWithoutOpenRequest marks an open request taken; a newer one is left waiting. */
export function navigationWithoutOpenRequest(
  navigation: NavigationState,
  id: number,
): NavigationState {
  if (navigation.openRequest?.id !== id) return navigation
  return { ...navigation, openRequest: null }
}
