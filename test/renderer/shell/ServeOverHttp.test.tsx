// @vitest-environment jsdom
import { cleanup, fireEvent, screen, within } from '@testing-library/react'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { HealthContainer } from '../../../src/renderer/src/containers/HealthContainer'
import type { ServerStatus } from '../../../src/shared/storeApi'
import { createFakeApi, fail, HANDLE, ok } from '../support/fakeApi'
import { renderShownStore, settle } from '../support/renderInspector'
import { HEALTH } from '../views/fixtures'

afterEach(cleanup)

const RUNNING: ServerStatus = {
  running: true,
  url: 'http://127.0.0.1:40123',
  login_url: 'http://127.0.0.1:40123/login?token=once',
  token: 'lhs_secret-token',
  read_only: false,
}
const STOPPED: ServerStatus = {
  ...RUNNING,
  running: false,
  url: null,
  login_url: null,
  token: null,
}

function fakeServing() {
  const fake = createFakeApi()
  fake.answer('health', async () => ok(HEALTH))
  fake.answer('startServer', async () => ok(RUNNING))
  fake.answer('stopServer', async () => ok(STOPPED))
  return fake
}

const toggle = () => screen.getByRole('checkbox', { name: /Serve over HTTP/ })
const control = () => screen.getByRole('region', { name: 'Serve over HTTP' })

describe('ServeOverHttp', () => {
  it('is off by default and shows no URL or token', async () => {
    await renderShownStore(<HealthContainer />, { fake: fakeServing() })
    expect((toggle() as HTMLInputElement).checked).toBe(false)
    expect(control().textContent?.trim()).toBe('Serve over HTTP')
    expect(screen.getByText('Not served.')).toBeTruthy()
  })

  it('starts the server, shows its URLs and copies the token without showing it', async () => {
    const writeText = vi.fn(() => Promise.resolve())
    Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true })
    const fake = fakeServing()
    await renderShownStore(<HealthContainer />, { fake })

    fireEvent.click(toggle())
    await settle()
    expect(fake.callsOf('startServer')).toEqual([{ handle: HANDLE }])
    expect(within(control()).getByText(RUNNING.url!)).toBeTruthy()
    expect(within(control()).getByText(RUNNING.login_url!)).toBeTruthy()
    expect(control().textContent).not.toContain(RUNNING.token)
    expect(screen.getByText(`${RUNNING.url}/metrics`)).toBeTruthy()

    fireEvent.click(screen.getByRole('button', { name: 'Copy admin token' }))
    await settle()
    expect(writeText).toHaveBeenCalledWith(RUNNING.token)
  })

  it('stops the server and hides the URLs again', async () => {
    const fake = fakeServing()
    fake.answer('serverStatus', async () => ok(RUNNING))
    await renderShownStore(<HealthContainer />, { fake })
    expect((toggle() as HTMLInputElement).checked).toBe(true)

    fireEvent.click(toggle())
    await settle()
    expect(fake.callsOf('stopServer')).toEqual([{ handle: HANDLE }])
    expect(control().textContent?.trim()).toBe('Serve over HTTP')
    expect(screen.getByText('Not served.')).toBeTruthy()
  })

  it('reports a start that fails and stays off', async () => {
    const fake = fakeServing()
    fake.answer('startServer', async () => fail('validation', 'port is in use'))
    const { inspector } = await renderShownStore(<HealthContainer />, { fake })
    const reportError = vi.spyOn(inspector, 'reportError')

    fireEvent.click(toggle())
    await settle()
    expect(reportError).toHaveBeenCalledWith(
      expect.objectContaining({ code: 'validation', action: 'Serving over HTTP' }),
    )
    expect((toggle() as HTMLInputElement).checked).toBe(false)
  })

  it('is not offered on a served page', async () => {
    await renderShownStore(<HealthContainer />, { fake: fakeServing(), kind: 'browser' })
    expect(screen.queryByRole('region', { name: 'Serve over HTTP' })).toBeNull()
  })
})
