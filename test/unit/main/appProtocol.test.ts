import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  APP_INDEX_URL,
  CONTENT_SECURITY_POLICY,
  createAppProtocolHandler,
  resolveAppFile,
} from '../../../src/main/shell/appProtocol'
import { tempDir } from '../../support/tempDir'

/** builtRenderer makes an out/renderer-like directory with a secret file beside it. */
function builtRenderer() {
  const root = tempDir()
  const rendererDir = join(root, 'renderer')
  mkdirSync(join(rendererDir, 'assets'), { recursive: true })
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>x</title>')
  writeFileSync(join(rendererDir, 'assets', 'app.js'), 'console.log(1)')
  writeFileSync(join(root, 'secret.txt'), 'secret')
  return { root, rendererDir, handler: createAppProtocolHandler(rendererDir) }
}

describe('app protocol', () => {
  it('serves the page and its assets with their types, the CSP and nosniff', async () => {
    const { handler } = builtRenderer()

    const page = await handler(new Request(APP_INDEX_URL))
    const script = await handler(new Request('lighthouse://app/assets/app.js'))

    expect(page.status).toBe(200)
    expect(await page.text()).toContain('<title>x</title>')
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8')
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8')
    for (const response of [page, script]) {
      expect(response.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY)
      expect(response.headers.get('x-content-type-options')).toBe('nosniff')
    }
  })

  it.each([
    'lighthouse://app/../secret.txt',
    'lighthouse://app/%2e%2e/secret.txt',
    'lighthouse://app/assets/%2e%2e%2f%2e%2e%2fsecret.txt',
    'lighthouse://app/..%5csecret.txt',
    'lighthouse://app/%2fetc%2fpasswd',
    'lighthouse://app/index.html%00.js',
    'lighthouse://app/%E0%A4%A',
    'lighthouse://other/index.html',
    'file:///etc/passwd',
  ])('refuses %s, which is not a file inside the renderer directory', async (url) => {
    const { handler } = builtRenderer()

    const response = await handler(new Request(url))

    expect(response.status).toBe(404)
    expect(await response.text()).not.toContain('secret')
    expect(response.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY)
  })

  it('refuses a symbolic link that leads out of the renderer directory', async () => {
    const { root, rendererDir, handler } = builtRenderer()
    symlinkSync(join(root, 'secret.txt'), join(rendererDir, 'link.txt'))

    const response = await handler(new Request('lighthouse://app/link.txt'))

    expect(response.status).toBe(404)
  })

  it('answers 404 for a missing file and 405 for a method other than GET or HEAD', async () => {
    const { handler } = builtRenderer()
    expect((await handler(new Request('lighthouse://app/missing.js'))).status).toBe(404)
    expect((await handler(new Request(APP_INDEX_URL, { method: 'POST', body: 'x' }))).status).toBe(
      405,
    )
  })

  it('maps the root to index.html and keeps every path inside the directory', () => {
    expect(resolveAppFile('/app/out/renderer', 'lighthouse://app/')).toBe(
      '/app/out/renderer/index.html',
    )
    expect(resolveAppFile('/app/out/renderer', 'lighthouse://app/a/../b.js')).toBe(
      '/app/out/renderer/b.js',
    )
    expect(resolveAppFile('/app/out/renderer', 'lighthouse://app/..')).toBeNull()
  })

  it('sets a policy without eval, inline scripts, plugins, framing or outside connections', () => {
    const directives = new Map(
      CONTENT_SECURITY_POLICY.split('; ').map((directive) => {
        const [name = '', ...sources] = directive.split(' ')
        return [name, sources]
      }),
    )
    expect(directives.get('default-src')).toEqual(["'self'"])
    expect(directives.get('script-src')).toEqual(["'self'"])
    expect(directives.get('connect-src')).toEqual(["'self'"])
    expect(directives.get('object-src')).toEqual(["'none'"])
    expect(directives.get('frame-ancestors')).toEqual(["'none'"])
    expect(CONTENT_SECURITY_POLICY).not.toContain('unsafe-eval')
  })
})
