/**
 * ARG_SCHEMAS holds one argument validator per StoreApi method. Its type ties each
 * validator's output to the method's `args` in StoreApiMethods, so a contract change that
 * the schemas do not follow fails to compile. Sizes are bounded here; the engine checks
 * events, queries and filters in depth (checkedLater) and names the field itself.
 */
import { BATCH_EVENTS_MAX, ID_FIELD_CHARS_MAX } from '../engine/limits'
import type { EventInput } from '../../shared/event'
import type { EventFilter, EventQuery } from '../../shared/query'
import { SLA_TARGET_IDS, TRIGGER_NAMES } from '../../shared/sla'
import type { StoreApiMethod, StoreApiMethods } from '../../shared/storeApi'
import { LOAD_RATE_MAX } from '../../shared/storeApi'
import type { Validator } from './argValidator'
import {
  arrayOf,
  checkedLater,
  finiteNumber,
  integer,
  noArgs,
  nullable,
  object,
  oneOf,
  partialRecord,
  refine,
  text,
} from './argValidator'

/** Longest directory path a call may name: Linux's PATH_MAX. */
export const PATH_CHARS_MAX = 4096

/** Highest TCP port; 0 asks for a free one. */
const PORT_MAX = 65_535

/** ArgSchemas maps every method to the validator of its arguments. */
export type ArgSchemas = { [M in StoreApiMethod]: Validator<StoreApiMethods[M]['args']> }

// Handles, job, subscription and report ids are opaque strings made by the host.
const id = text(ID_FIELD_CHARS_MAX)
const path = text(PATH_CHARS_MAX)
const sequence = integer(1)
const withHandle = object({ handle: id })

const thresholdsPatch = object(
  {},
  {
    targets: partialRecord(SLA_TARGET_IDS, finiteNumber(0)),
    triggers: partialRecord(
      TRIGGER_NAMES,
      object({}, { warning: finiteNumber(0), emergency: finiteNumber(0) }),
    ),
    disk_block: finiteNumber(0),
    disk_unblock: finiteNumber(0),
    hold_ms: finiteNumber(0),
    clear_ms: finiteNumber(0),
    memory_limit_bytes: nullable(integer(1)),
  },
)

export const ARG_SCHEMAS: ArgSchemas = {
  listRecent: noArgs,
  openStore: object({ path, access: oneOf(['write', 'follow']) }),
  createStore: object({ path }),
  openDemo: noArgs,
  closeStore: withHandle,
  listOpen: noArgs,
  summary: withHandle,
  query: object({ handle: id, query: checkedLater<EventQuery>() }),
  getEvent: refine(
    object({ handle: id }, { event_id: id, sequence }),
    (args) => (args.event_id === undefined) !== (args.sequence === undefined),
    'must name exactly one of event_id and sequence',
  ),
  getRawRecord: object({ handle: id, sequence }),
  subscribe: object(
    { handle: id, filter: checkedLater<EventFilter>() },
    { from_sequence: sequence },
  ),
  unsubscribe: object({ subscription_id: id }),
  listSegments: withHandle,
  startVerification: object({ handle: id }, { file: id }),
  cancelJob: object({ job_id: id }),
  getJob: object({ job_id: id }),
  runRecovery: withHandle,
  rebuildIndexes: withHandle,
  listRecoveryReports: withHandle,
  getRecoveryReport: object({ handle: id, id }),
  slaSnapshot: withHandle,
  slaHistory: withHandle,
  setSlaThresholds: object({ handle: id, patch: thresholdsPatch }),
  approveRecovery: withHandle,
  health: withHandle,
  append: object({
    handle: id,
    events: arrayOf(checkedLater<EventInput>(), BATCH_EVENTS_MAX),
  }),
  startLoad: object({
    handle: id,
    settings: object({
      rate: integer(1, LOAD_RATE_MAX),
      shape: oneOf(['demo', 'small', 'large']),
    }),
  }),
  stopLoad: withHandle,
  startServer: object({ handle: id }, { port: integer(0, PORT_MAX) }),
  stopServer: withHandle,
  serverStatus: withHandle,
}
