import type * as Zlib from 'node:zlib'

/**
 * synchronousZlib returns `zlib` with `gzip` and `gunzip` answering from the synchronous
 * functions. The real ones run on the libuv thread pool, so when they finish relative to an
 * in-memory disk (whose calls are all microtasks) varies from run to run; with these, a
 * crash test cuts the power at the same call of the same interleaving on every run, and a
 * failing seed replays exactly. vi.mock hoists its factory above the imports, so the
 * factory imports this module itself:
 * `vi.mock('node:zlib', async (original) =>
 *   (await import('../../support/synchronousZlib')).synchronousZlib(await original()))`.
 */
export function synchronousZlib(zlib: typeof Zlib): typeof Zlib {
  return {
    ...zlib,
    gzip: callbackStyle((buffer, options) => zlib.gzipSync(buffer, options)),
    gunzip: callbackStyle((buffer, options) => zlib.gunzipSync(buffer, options)),
  } as typeof Zlib
}

type Callback = (error: Error | null, result?: Buffer) => void

/** callbackStyle makes `(buffer, [options], callback)` out of a synchronous function. */
function callbackStyle(
  run: (buffer: Zlib.InputType, options: Zlib.ZlibOptions) => Buffer,
): (buffer: Zlib.InputType, ...rest: unknown[]) => void {
  return (buffer, ...rest) => {
    const callback = rest.pop() as Callback
    const options = (rest[0] ?? {}) as Zlib.ZlibOptions
    let result: Buffer
    try {
      result = run(buffer, options)
    } catch (error) {
      callback(error as Error)
      return
    }
    callback(null, result)
  }
}
