import type { EventInput } from '../src/shared/event'

/**
 * sampleEvent makes a realistic event of about 500 encoded bytes: the kinds of events the
 * original Lighthouse system recorded (agents, commands, correlation chains).
 */
export function sampleEvent(i: number): EventInput {
  const agent = `agent-${i % 17}`
  return {
    event_type:
      i % 5 === 0 ? 'command_executed' : i % 5 === 1 ? 'agent_heartbeat' : 'command_received',
    aggregate_id: `shadow-${i % 101}`,
    aggregate_type: 'shadow',
    correlation_id: `corr-${Math.floor(i / 4)}`,
    causation_id: i % 4 === 0 ? null : `cmd-${i - 1}`,
    source_agent: agent,
    source_component: 'bridge',
    data: {
      command: 'apply_patch',
      path: `/workspace/project/src/module_${i % 23}/file_${i % 7}.py`,
      lines_changed: (i * 7) % 113,
      status: i % 9 === 0 ? 'failed' : 'ok',
      duration_ms: (i * 13) % 997,
      note: 'validated against policy set default-v2 before execution by the coordination bridge',
    },
    metadata: { host: 'bench-host', session: `session-${i % 3}`, attempt: 1 },
  }
}
