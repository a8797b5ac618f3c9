// An Electronegativity-style check of the built app (out/), which `npm test` builds before
// running the tests. It reads the bundles Electron actually loads, so a setting that a
// refactor or a dependency slips into the build is caught even when the source tests pass.
// @doyensec/electronegativity itself needs eslint 7, TypeScript 4.2 and node-pre-gyp, which
// do not belong in this install; these are the checks of its list that apply to this app.
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'

const outDir = join(import.meta.dirname, '../../../out')

function bundle(...parts: string[]): string {
  const file = join(outDir, ...parts)
  if (!existsSync(file))
    throw new Error(`${file} is missing: run \`npm run build\` before this test.`)
  return readFileSync(file, 'utf8')
}

/** The main process: its entry plus the chunks it shares with the CLI. */
function mainCode(): string {
  const chunksDir = join(outDir, 'main', 'chunks')
  const chunks = existsSync(chunksDir)
    ? readdirSync(chunksDir).filter((name) => name.endsWith('.js'))
    : []
  return [bundle('main', 'index.js'), ...chunks.map((name) => bundle('main', 'chunks', name))].join(
    '\n',
  )
}

const TRUE = String.raw`(?:true|!0)`
const FALSE = String.raw`(?:false|!1)`

/** Each dangerous setting, as it appears in a built bundle (minified or not). */
const DANGEROUS_SETTINGS: [name: string, pattern: RegExp][] = [
  [
    'nodeIntegration enabled',
    new RegExp(String.raw`nodeIntegration(?:InWorker|InSubFrames)?["']?\s*:\s*${TRUE}`),
  ],
  ['contextIsolation disabled', new RegExp(String.raw`contextIsolation["']?\s*:\s*${FALSE}`)],
  ['sandbox disabled', new RegExp(String.raw`sandbox["']?\s*:\s*${FALSE}`)],
  ['webSecurity disabled', new RegExp(String.raw`webSecurity["']?\s*:\s*${FALSE}`)],
  [
    'insecure content allowed',
    new RegExp(String.raw`allowRunningInsecureContent["']?\s*:\s*${TRUE}`),
  ],
  [
    'experimental features enabled',
    new RegExp(String.raw`experimentalFeatures["']?\s*:\s*${TRUE}`),
  ],
  ['Blink features enabled', /enableBlinkFeatures|blinkFeatures["']?\s*:/],
  ['<webview> enabled', new RegExp(String.raw`webviewTag["']?\s*:\s*${TRUE}`)],
  ['remote module enabled', /enableRemoteModule|@electron\/remote/],
  ['a scheme that bypasses the CSP', new RegExp(String.raw`bypassCSP["']?\s*:\s*${TRUE}`)],
  ['certificate errors accepted', /certificate-error|ignore-certificate-errors/],
  [
    'web security switched off on the command line',
    /disable-web-security|allow-running-insecure-content/,
  ],
  ['a page loaded over plain http', /loadURL\(\s*["'`]http:/],
]

describe('Electron security of the built app', () => {
  it.each(DANGEROUS_SETTINGS)('the main process has no %s', (_name, pattern) => {
    expect(mainCode()).not.toMatch(pattern)
  })

  it.each(DANGEROUS_SETTINGS)('the preload has no %s', (_name, pattern) => {
    expect(bundle('preload', 'index.js')).not.toMatch(pattern)
  })

  it('turns the isolation settings on explicitly', () => {
    const code = mainCode()
    expect(code).toMatch(new RegExp(String.raw`contextIsolation["']?\s*:\s*${TRUE}`))
    expect(code).toMatch(new RegExp(String.raw`sandbox["']?\s*:\s*${TRUE}`))
    expect(code).toMatch(new RegExp(String.raw`nodeIntegration["']?\s*:\s*${FALSE}`))
  })

  it('denies permissions, navigation and new windows', () => {
    const code = mainCode()
    expect(code).toContain('setPermissionRequestHandler')
    expect(code).toContain('setPermissionCheckHandler')
    expect(code).toContain('will-navigate')
    expect(code).toContain('setWindowOpenHandler')
    expect(code).toContain('will-attach-webview')
  })

  it('calls shell.openExternal from one place only, the https-only gateway', () => {
    const calls = mainCode().match(/\.openExternal\(/g) ?? []
    expect(calls).toHaveLength(1)
    expect(mainCode()).toMatch(/protocol\s*===\s*["']https:["']/)
  })

  it('serves the page with a Content-Security-Policy header without eval or inline scripts', () => {
    const policy = /["']default-src 'self'["'][^\]]*?\]/s.exec(mainCode())?.[0]
    expect(policy, 'no CSP in the main bundle').toBeDefined()
    expect(mainCode()).toContain('Content-Security-Policy')
    expect(policy).toContain(`"script-src 'self'"`)
    expect(policy).not.toContain('unsafe-eval')
  })

  it('ships a page whose own CSP allows no eval and no inline scripts', () => {
    const html = bundle('renderer', 'index.html')
    const policy = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html)?.[1]
    expect(policy, 'the built page has no CSP meta tag').toBeDefined()
    const scriptSources = /script-src ([^;]+)/.exec(policy ?? '')?.[1] ?? ''
    expect(scriptSources).toBe("'self'")
    expect(policy).not.toContain('unsafe-eval')
  })

  it('exposes named methods from the preload, never ipcRenderer itself', () => {
    const preload = bundle('preload', 'index.js')
    expect(preload).toContain('exposeInMainWorld')
    expect(preload).not.toMatch(/exposeInMainWorld\([^)]*ipcRenderer\s*\)/)
    expect(preload).not.toMatch(/ipcRenderer\.(?:send|sendSync|sendTo|sendToHost|postMessage)\(/)
    // invoke is only ever called with the one call channel.
    const channels = [...preload.matchAll(/ipcRenderer\.invoke\(\s*([^,]+),/g)].map(
      (match) => match[1],
    )
    expect(channels.length).toBeGreaterThan(0)
    for (const channel of channels)
      expect(channel).toMatch(/^(?:CALL_CHANNEL|["']lighthouse:call["'])$/)
  })

  it('bundles the preload as one CommonJS file that requires only electron', () => {
    const required = [
      ...bundle('preload', 'index.js').matchAll(/require\(\s*["']([^"']+)["']\s*\)/g),
    ].map((match) => match[1])
    expect(new Set(required)).toEqual(new Set(['electron']))
  })
})
