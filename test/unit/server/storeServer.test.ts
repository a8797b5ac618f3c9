import { readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it, vi } from 'vitest'
import { AUDIT_FILE_NAME } from '../../../src/main/server/auditLog'
import { SCOPES, type Scope } from '../../../src/main/server/scopes'
import type { JobInfo, StoreSummary } from '../../../src/shared/storeApi'
import { tempDir } from '../../support/tempDir'
import { connectClient } from '../rpc/wsClient'
import { jsonRequest, send } from './httpClient'
import {
  APP_MARKER,
  fakeRendererDir,
  HASHED_ASSET,
  login,
  loginPath,
  serveStore,
} from './storeServerHarness'
import { TOKENS } from './testTokens'

const EVENT = { event_type: 'agent_registered', aggregate_id: 'agent-1', data: { name: 'a' } }

/** waitForJob polls GET /admin/jobs/{id} until the job has ended. */
async function waitForJob(port: number, jobId: string): Promise<JobInfo> {
  let job: JobInfo | undefined
  await vi.waitFor(
    async () => {
      const answer = await send(port, jsonRequest(TOKENS.admin, 'GET', `/admin/jobs/${jobId}`))
      expect(answer.status).toBe(200)
      job = answer.json as JobInfo
      expect(job.state).not.toBe('running')
    },
    { timeout: 20_000, interval: 50 },
  )
  return job!
}

describe('serve: authorization of the telemetry, admin and UI routes', () => {
  interface Case {
    method: string
    path: string
    scope: Scope
    /** The status for an allowed caller; null: any answer but 401 and 403. */
    ok: number | null
    /** The UI answers refusals with a page instead of JSON. */
    page?: boolean
  }
  // Recovery closes and reopens the store, so it comes last.
  const routes: Case[] = [
    { method: 'GET', path: '/metrics', scope: 'metrics', ok: 200 },
    { method: 'GET', path: '/health/detailed', scope: 'metrics', ok: 200 },
    { method: 'GET', path: '/admin/jobs/no-such-job', scope: 'admin', ok: 404 },
    { method: 'POST', path: '/admin/approve', scope: 'admin', ok: null },
    { method: 'GET', path: '/', scope: 'admin', ok: 200, page: true },
    { method: 'GET', path: `/assets/${HASHED_ASSET}`, scope: 'admin', ok: 200, page: true },
    { method: 'POST', path: '/admin/verify', scope: 'admin', ok: 202 },
    { method: 'POST', path: '/admin/recover', scope: 'admin', ok: 202 },
  ]

  it('answers 401 without or with a bad token, 403 without the scope, and serves the scope and admin', async () => {
    const served = await serveStore()
    const jobs: string[] = []
    for (const route of routes) {
      for (const token of [null, 'not-a-token']) {
        const answer = await send(served.port, jsonRequest(token, route.method, route.path))
        expect(answer.status, `${route.method} ${route.path} with ${token}`).toBe(401)
        if (route.page) expect(answer.headers['content-type']).toMatch(/^text\/html/)
        else expect(answer.json).toMatchObject({ code: 'unauthorized' })
      }
      for (const scope of SCOPES) {
        const answer = await send(served.port, jsonRequest(TOKENS[scope], route.method, route.path))
        const what = `${route.method} ${route.path} as ${scope}`
        if (scope !== route.scope && scope !== 'admin') {
          expect(answer.status, what).toBe(403)
          if (!route.page) expect(answer.json, what).toMatchObject({ code: 'forbidden' })
        } else if (route.ok === null) {
          expect([401, 403], what).not.toContain(answer.status)
        } else {
          expect(answer.status, what).toBe(route.ok)
        }
        // One job at a time runs on a store: let this one end before the next route.
        if (answer.status === 202) {
          jobs.push((await waitForJob(served.port, (answer.json as JobInfo).job_id)).state)
        }
      }
    }
    expect(jobs).toEqual(['done', 'done'])
  })

  it('refuses recover and approve with 403 read_only on a --read-only server, and still verifies', async () => {
    const served = await serveStore({ readOnly: true })
    for (const path of ['/admin/recover', '/admin/approve']) {
      const answer = await send(served.port, jsonRequest(TOKENS.admin, 'POST', path))
      expect(answer.status, path).toBe(403)
      expect(answer.json).toMatchObject({ code: 'read_only' })
    }
    const verify = await send(served.port, jsonRequest(TOKENS.admin, 'POST', '/admin/verify'))
    expect(verify.status).toBe(202)
    await waitForJob(served.port, (verify.json as JobInfo).job_id)
  })
})

describe('serve: admin jobs and the audit log', () => {
  it('runs a verification job to done, shows it at /admin/jobs/{id}, and audits who asked', async () => {
    const served = await serveStore()
    const appended = await send(
      served.port,
      jsonRequest(TOKENS['events.write'], 'POST', '/events/batch', { events: [EVENT, EVENT] }),
    )
    expect(appended.status).toBe(201)
    const started = await send(served.port, jsonRequest(TOKENS.admin, 'POST', '/admin/verify'))
    expect(started.status).toBe(202)
    expect(started.json).toMatchObject({ kind: 'verify', state: 'running' })
    const job = await waitForJob(served.port, (started.json as JobInfo).job_id)
    expect(job).toMatchObject({ state: 'done', progress: { ok: true, records: 2 } })

    const refused = await send(
      served.port,
      jsonRequest(TOKENS.admin, 'POST', '/admin/verify', { file: 'no-such-segment.log' }),
    )
    expect(refused.status).toBe(400)
    expect(refused.json).toMatchObject({ code: 'validation' })

    const lines = readFileSync(join(served.dir, AUDIT_FILE_NAME), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>)
    expect(lines).toEqual([
      expect.objectContaining({
        token: 'admin',
        action: 'verify',
        status: 202,
        result: `job ${job.job_id}`,
      }),
      expect.objectContaining({ token: 'admin', action: 'verify', status: 400 }),
    ])
    for (const line of lines) expect(Date.parse(String(line['at']))).not.toBeNaN()
    expect(served.reports.filter((line) => line.includes('admin verify by "admin"'))).toHaveLength(
      2,
    )
  })

  it('recovers through the host and keeps serving the same store afterwards', async () => {
    const served = await serveStore()
    await send(served.port, jsonRequest(TOKENS['events.write'], 'POST', '/events', EVENT))
    const started = await send(served.port, jsonRequest(TOKENS.admin, 'POST', '/admin/recover'))
    expect(started.status).toBe(202)
    const job = await waitForJob(served.port, (started.json as JobInfo).job_id)
    expect(job).toMatchObject({ kind: 'recover', state: 'done', report: { ok: true } })
    const after = await send(
      served.port,
      jsonRequest(TOKENS['events.write'], 'POST', '/events', EVENT),
    )
    expect(after.status).toBe(201)
    expect(after.json).toMatchObject({ sequence: 2 })
  })
})

describe('serve: /metrics and /health/detailed', () => {
  it('exposes the store in Prometheus text, lighthouse_current_sequence included', async () => {
    const served = await serveStore()
    for (let i = 0; i < 3; i++) {
      await send(served.port, jsonRequest(TOKENS['events.write'], 'POST', '/events', EVENT))
    }
    const answer = await send(served.port, jsonRequest(TOKENS.metrics, 'GET', '/metrics'))
    expect(answer.status).toBe(200)
    expect(answer.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/)
    expect(answer.text).toMatch(/^lighthouse_current_sequence 3$/m)
    expect(answer.text).toMatch(
      /^lighthouse_events_appended_total\{event_type="agent_registered"\} 3$/m,
    )
    expect(answer.text).toMatch(/^lighthouse_store_mode\{mode="writable"\} 1$/m)
    expect(answer.text).toMatch(/^lighthouse_append_duration_seconds_count 3$/m)
    expect(answer.text).toMatch(/^lighthouse_active_connections [1-9]/m)
    expect(answer.text).toMatch(/^lighthouse_disk_usage_bytes \d+/m)
    expect(answer.text).toMatch(/^process_resident_memory_bytes \d+/m)
  })

  it('reports the detailed health with the mode, sequence and components', async () => {
    const served = await serveStore()
    await send(served.port, jsonRequest(TOKENS['events.write'], 'POST', '/events', EVENT))
    const answer = await send(served.port, jsonRequest(TOKENS.metrics, 'GET', '/health/detailed'))
    expect(answer.status).toBe(200)
    expect(answer.json).toMatchObject({
      status: 'healthy',
      mode: 'writable',
      sla_level: 'NORMAL',
      current_sequence: 1,
      log_file_count: 1,
      append_queue: { events: 0 },
    })
    expect((answer.json as { components: unknown[] }).components.length).toBeGreaterThan(0)
  })
})

describe('serve: the inspector UI behind the login session', () => {
  it('answers / without a session with a 401 page that points to the login URL, never the app', async () => {
    const served = await serveStore()
    const answer = await send(served.port, { path: '/' })
    expect(answer.status).toBe(401)
    expect(answer.headers['content-type']).toBe('text/html; charset=utf-8')
    expect(answer.text).toContain('login URL')
    expect(answer.text).not.toContain(APP_MARKER)
    const wrong = await send(served.port, { path: '/', headers: { cookie: 'lhs_session=guess' } })
    expect(wrong.status).toBe(401)
    expect(wrong.text).not.toContain(APP_MARKER)
  })

  it('logs in once with an HttpOnly SameSite=Strict cookie; the login URL then fails', async () => {
    const served = await serveStore()
    const path = loginPath(served)
    const first = await send(served.port, { path })
    expect(first.status).toBe(303)
    expect(first.headers['location']).toBe('/')
    const cookie = String(first.headers['set-cookie'])
    expect(cookie).toMatch(/^lhs_session=[A-Za-z0-9_-]{40,};/)
    expect(cookie).toContain('HttpOnly')
    expect(cookie).toContain('SameSite=Strict')
    const again = await send(served.port, { path })
    expect(again.status).toBe(401)
    expect(again.headers['set-cookie']).toBeUndefined()
    expect(again.text).not.toContain(APP_MARKER)
    const guessed = await send(served.port, { path: '/login?token=guess' })
    expect(guessed.status).toBe(401)
  })

  it('serves the page and hashed assets to the session, with a strict CSP and caching', async () => {
    const served = await serveStore()
    const cookie = await login(served)
    const page = await send(served.port, { path: '/', headers: { cookie } })
    expect(page.status).toBe(200)
    expect(page.text).toContain(APP_MARKER)
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8')
    const csp = String(page.headers['content-security-policy'])
    expect(csp).toContain("default-src 'self'")
    expect(csp).toContain("frame-ancestors 'none'")
    expect(csp).toContain(`connect-src 'self' ws://127.0.0.1:${served.port}`)
    expect(csp).not.toContain('unsafe-eval')
    expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/)
    expect(page.headers['x-content-type-options']).toBe('nosniff')
    expect(page.headers['referrer-policy']).toBe('no-referrer')
    const asset = await send(served.port, { path: `/assets/${HASHED_ASSET}`, headers: { cookie } })
    expect(asset.status).toBe(200)
    expect(asset.headers['content-type']).toBe('text/javascript; charset=utf-8')
    expect(asset.headers['cache-control']).toContain('immutable')
  })

  it('refuses path traversal: .., encoded .., and a symlink out of the UI directory', async () => {
    const outside = join(tempDir(), 'secret.txt')
    writeFileSync(outside, 'SECRET')
    const rendererDir = fakeRendererDir()
    symlinkSync(outside, join(rendererDir, 'assets', 'leak.txt'))
    const ui = await serveStore({ rendererDir })
    const cookie = await login(ui)
    const paths = [
      '/../secret.txt',
      '/assets/../../secret.txt',
      '/assets/%2e%2e',
      '/assets/%2e%2e%2f%2e%2e%2fsecret.txt',
      '/assets/..%2Findex.html',
      '/assets/.hidden',
      '/assets/leak.txt',
      '/%2e%2e/%2e%2e/secret.txt',
    ]
    for (const path of paths) {
      const answer = await send(ui.port, { path, headers: { cookie } })
      expect(answer.text, path).not.toContain('SECRET')
      // Dot segments, encoded or not, resolve as a browser resolves them: `/assets/%2e%2e`
      // is `/`, the page itself. Anything else is refused.
      if (answer.status === 200) expect(answer.text, path).toContain(APP_MARKER)
      else expect(answer.status, path).toBe(404)
    }
    const symlinked = await send(ui.port, { path: '/assets/leak.txt', headers: { cookie } })
    expect(symlinked.status).toBe(404)
  })
})

describe('serve: the WebSocket bridge', () => {
  it('refuses a client without the session cookie, even with an admin bearer token', async () => {
    const served = await serveStore()
    await expect(connectClient(served.port)).rejects.toThrow('refused with 401')
    await expect(
      connectClient(served.port, { headers: { Authorization: `Bearer ${TOKENS.admin}` } }),
    ).rejects.toThrow('refused with 401')
    await expect(
      connectClient(served.port, { headers: { Cookie: 'lhs_session=guess' } }),
    ).rejects.toThrow('refused with 401')
  })

  it('refuses a foreign Origin or Host even with the cookie (cross-site pages, DNS rebinding)', async () => {
    const served = await serveStore()
    const cookie = await login(served)
    const refusedHeaders: Record<string, string>[] = [
      { Cookie: cookie, Origin: 'https://evil.example' },
      { Cookie: cookie, Origin: `http://localhost:${served.port + 1}` },
      { Cookie: cookie, Host: 'evil.example' },
      { Cookie: cookie, Host: `evil.example:${served.port}` },
    ]
    for (const headers of refusedHeaders) {
      await expect(
        connectClient(served.port, { headers }),
        JSON.stringify(headers),
      ).rejects.toThrow('refused with 403')
    }
  })

  it('serves the UI over the bridge with the cookie: summary, append and live pushes', async () => {
    const served = await serveStore()
    const cookie = await login(served)
    const client = await connectClient(served.port, {
      headers: { Cookie: cookie, Origin: `http://127.0.0.1:${served.port}` },
    })
    const open = await client.call('listOpen')
    const handle = open.ok ? (open.value as StoreSummary[])[0]?.handle : undefined
    expect(handle).toBeDefined()
    await expect(client.call('summary', { handle })).resolves.toMatchObject({
      ok: true,
      value: { handle, access: 'write', event_count: 0 },
    })
    await expect(client.call('subscribe', { handle, filter: {} })).resolves.toMatchObject({
      ok: true,
    })
    await expect(client.call('append', { handle, events: [EVENT] })).resolves.toMatchObject({
      ok: true,
      value: [{ sequence: 1 }],
    })
    // The REST API writes the same store: the bridge's subscriber sees that event too.
    await send(served.port, jsonRequest(TOKENS['events.write'], 'POST', '/events', EVENT))
    await vi.waitFor(() => {
      const live = client.pushes.flatMap((push) => (push.type === 'events' ? push.events : []))
      expect(live.map((event) => event.sequence)).toEqual([1, 2])
    })
    await expect(
      client.call('openStore', { path: served.dir, access: 'write' }),
    ).resolves.toMatchObject({ ok: false, error: { code: 'not_available' } })
    client.ws.close()
  })
})
