import type { IncomingMessage } from 'node:http'
import type { StoreApi, StoreHandle } from '../../shared/storeApi'
import type { AuditLog } from './auditLog'
import { HttpError, httpError, readJson, sendJson, toHttpError, valueOf } from './httpIo'
import type { Route, RouteContext } from './route'

/**
 * The operators' routes (admin scope): start a verification or a recovery as a host job
 * (202 with the job; poll GET /admin/jobs/{id}), approve leaving RECOVERING, read a job.
 * They call the host through a StoreApi client, exactly as the UI does, so a job started
 * here shows in the UI and the other way round. Every action that changes something is
 * written to the audit log before it is answered, refusals included.
 */
export interface AdminContext {
  api: StoreApi
  handle: StoreHandle
  audit: AuditLog
}

export function adminRoutes({ api, handle, audit }: AdminContext): Route[] {
  /** audited runs an action, records who asked and what came of it, then answers. */
  const audited =
    (action: string, status: number, run: (context: RouteContext) => Promise<unknown>) =>
    async (context: RouteContext): Promise<void> => {
      let value: unknown
      try {
        value = await run(context)
      } catch (error) {
        const answer = toHttpError(error)
        await recordQuietly(audit, context, action, answer.status, describeError(answer))
        throw answer
      }
      await recordQuietly(audit, context, action, status, describeValue(value))
      sendJson(context.response, status, value)
    }
  return [
    {
      method: 'POST',
      path: '/admin/verify',
      scope: 'admin',
      handle: audited('verify', 202, async ({ request }) => {
        const { file } = await optionalBody(request)
        if (file !== undefined && typeof file !== 'string') {
          throw httpError(400, 'validation', 'file: must be a segment file name (a string)')
        }
        return valueOf(await api.startVerification({ handle, ...(file ? { file } : {}) }))
      }),
    },
    {
      method: 'POST',
      path: '/admin/recover',
      scope: 'admin',
      writes: true,
      handle: audited('recover', 202, async () => valueOf(await api.runRecovery({ handle }))),
    },
    {
      method: 'POST',
      path: '/admin/approve',
      scope: 'admin',
      writes: true,
      handle: audited('approve', 200, async () => valueOf(await api.approveRecovery({ handle }))),
    },
    {
      method: 'GET',
      path: '/admin/jobs/:job_id',
      scope: 'admin',
      async handle({ params, response }) {
        sendJson(response, 200, valueOf(await api.getJob({ job_id: params['job_id']! })))
      },
    },
  ]
}

/** optionalBody reads a JSON object body, or {} when the request has none. */
async function optionalBody(request: IncomingMessage): Promise<Record<string, unknown>> {
  const hasBody =
    request.headers['transfer-encoding'] !== undefined ||
    Number(request.headers['content-length'] ?? 0) > 0
  if (!hasBody) return {}
  const body = await readJson(request)
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw httpError(400, 'validation', 'body: send a JSON object, or no body')
  }
  return body as Record<string, unknown>
}

async function recordQuietly(
  audit: AuditLog,
  { identity }: RouteContext,
  action: string,
  status: number,
  result: string,
): Promise<void> {
  // A failed write has been reported on stderr with the whole line; the action is done.
  await audit.record({ token: identity.name, action, status, result }).catch(() => undefined)
}

function describeValue(value: unknown): string {
  if (typeof value === 'object' && value !== null && 'job_id' in value) {
    return `job ${String(value.job_id)}`
  }
  if (typeof value === 'object' && value !== null && 'level' in value) {
    return `level ${String(value.level)}`
  }
  return 'ok'
}

function describeError(error: HttpError): string {
  return `${error.body.code}: ${error.body.message}`
}
