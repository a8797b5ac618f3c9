// Where the electron package keeps its binary, found without `require('electron')`, whose
// first call downloads the binary synchronously with no time limit.
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

/** installedElectronPath mirrors node_modules/electron/index.js without its download side effect. */
export function installedElectronPath(electronDir) {
  const pathFile = join(electronDir, 'path.txt')
  const relative = existsSync(pathFile) ? readFileSync(pathFile, 'utf8') : undefined
  const overrideDir = process.env.ELECTRON_OVERRIDE_DIST_PATH
  const executable =
    overrideDir !== undefined
      ? join(overrideDir, relative ?? 'electron')
      : relative !== undefined
        ? join(electronDir, 'dist', relative)
        : undefined
  return executable !== undefined && existsSync(executable) ? executable : undefined
}
