import { main } from './main'

// The `lighthouse-store` command. Plain Node: nothing here may load Electron.
main(process.argv.slice(2), {
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
}).then(
  (code) => {
    process.exitCode = code
  },
  (error: unknown) => {
    process.stderr.write(`lighthouse-store failed unexpectedly: ${String(error)}\n`)
    process.exitCode = 4
  },
)
