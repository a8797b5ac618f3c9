// @vitest-environment jsdom
import { act, cleanup, screen } from '@testing-library/react'
import { afterEach, describe, expect, it } from 'vitest'
import { HealthContainer } from '../../../src/renderer/src/containers/HealthContainer'
import { createFakeApi, HANDLE, ok } from '../support/fakeApi'
import { renderShownStore } from '../support/renderInspector'
import { HEALTH } from '../views/fixtures'

afterEach(cleanup)

async function renderHealth(kind: 'electron' | 'browser') {
  const fake = createFakeApi()
  fake.answer('health', async () => ok(HEALTH))
  return renderShownStore(<HealthContainer />, { fake, kind })
}

const diskCard = () => screen.getByRole('region', { name: 'Disk' }).textContent

describe('HealthContainer', () => {
  it('reads the health once, then shows what is pushed', async () => {
    const { fake, connection } = await renderHealth('electron')
    expect(fake.callsOf('health')).toEqual([{ handle: HANDLE }])
    expect(diskCard()).toMatch(/^Disk80.0% used/)

    const health = { ...HEALTH, resources: { ...HEALTH.resources, disk_usage: 0.5 } }
    act(() => connection.push([{ type: 'health', handle: HANDLE, health }]))
    expect(diskCard()).toMatch(/^Disk50.0% used/)
    expect(fake.callsOf('health')).toHaveLength(1)
  })

  it('names the metrics endpoint only where the page was served', async () => {
    await renderHealth('browser')
    expect(screen.getByText(`${window.location.origin}/metrics`)).toBeTruthy()
    cleanup()
    await renderHealth('electron')
    expect(screen.getByText('Not served.')).toBeTruthy()
  })
})
