import type { EventFilter } from '../../../shared/query'
import type { LiveFilter } from './liveSlice'

/** eventFilterOf turns the quick filters into the subscription's filter; blanks mean "any". */
export function eventFilterOf(filter: LiveFilter): EventFilter {
  const eventFilter: EventFilter = {}
  const type = filter.event_type.trim()
  const aggregate = filter.aggregate_id.trim()
  const source = filter.source_agent.trim()
  if (type !== '') eventFilter.event_types = [type]
  if (aggregate !== '') eventFilter.aggregate_ids = [aggregate]
  if (source !== '') eventFilter.source_agents = [source]
  return eventFilter
}
