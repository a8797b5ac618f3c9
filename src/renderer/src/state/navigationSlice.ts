/**
 * Navigation: the view on screen, and a command waiting for the view that carries it out.
 * The native menu's Verify and Run Recovery arrive as pushes; they land here so the Files
 * and Recovery views can act on them when they mount, then mark them done. A folder dropped
 * on the window is a command too, for the Start view, which opens it and, if that fails,
 * offers what can be done instead.
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

/** What a command asks: a menu action on a store, or a folder dropped on the window. */
export type CommandRequest =
  { kind: 'verify' | 'run_recovery'; handle: StoreHandle } | { kind: 'open_folder'; path: string }

export type CommandKind = CommandRequest['kind']

export type PendingCommand = CommandRequest & {
  /** Distinguishes two identical menu clicks, or two drops of the same folder. */
  id: number
}

export interface NavigationState {
  view: ViewId
  command: PendingCommand | null
  /** The filter the Query view starts from, e.g. an event's correlation chain. */
  queryFilter: EventFilter | null
  /** Commands issued so far; the next command's id. */
  commandsIssued: number
  helpOpen: boolean
}

export function initialNavigation(): NavigationState {
  return { view: 'start', command: null, queryFilter: null, commandsIssued: 0, helpOpen: false }
}

/** COMMAND_VIEWS says which view carries out each command. */
export const COMMAND_VIEWS: Record<CommandKind, ViewId> = {
  verify: 'files',
  run_recovery: 'recovery',
  open_folder: 'start',
}

export function navigationWithCommand(
  navigation: NavigationState,
  request: CommandRequest,
): NavigationState {
  const id = navigation.commandsIssued + 1
  return {
    ...navigation,
    view: COMMAND_VIEWS[request.kind],
    command: { ...request, id },
    commandsIssued: id,
  }
}

/** navigationWithoutCommand marks a command done; a newer one is left waiting. */
export function navigationWithoutCommand(navigation: NavigationState, id: number): NavigationState {
  if (navigation.command?.id !== id) return navigation
  return { ...navigation, command: null }
}
