#!/usr/bin/env node
// The `lighthouse-store` command runs the built CLI (npm run build creates out/main/cli.js).
const { existsSync } = require('node:fs')
const { join } = require('node:path')

const cli = join(__dirname, '..', 'out', 'main', 'cli.js')
if (!existsSync(cli)) {
  process.stderr.write(
    'lighthouse-store is not built yet: run `npm run build` in the project first.\n',
  )
  process.exit(4)
}
require(cli)
