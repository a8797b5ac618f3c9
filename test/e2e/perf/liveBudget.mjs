// Measures the inspector's performance budget (issue 7) once, in Chromium against the real
// `serve`: 5,000 events/s appended over HTTP for 60 s while the Live view follows them.
// Reports the lag between append and display, long tasks over 100 ms and the JS heap over
// time. A measurement, not a test: it asserts nothing and prints JSON.
//
//   npm run build && node test/e2e/perf/liveBudget.mjs [ratePerSecond] [seconds] [--trace=FILE]
//
// --trace writes a Chromium performance trace of the run (open it in DevTools' Performance
// panel): it shows what each long task spent its time on, and its CPU time beside its wall
// time, which on a busy machine tells the page's own cost from waiting for a core.
/* global window, document */
import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { chromium } from 'playwright-core'

const [RATE = 5000, SECONDS = 60] = process.argv
  .slice(2)
  .filter((arg) => !arg.startsWith('--'))
  .map(Number)
const TRACE_FILE = process.argv.find((arg) => arg.startsWith('--trace='))?.slice('--trace='.length)
/** Appends go out as batches every TICK_MS, like a busy producer. */
const TICK_MS = 20
const CLI = fileURLToPath(new URL('../../../out/main/cli.js', import.meta.url))
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  // performance.memory rounds heavily without it.
  '--enable-precise-memory-info',
]

const dir = join(mkdtempSync(join(tmpdir(), 'lhs-perf-')), 'store')
spawnSync(process.execPath, [CLI, 'append', dir], {
  input: '{"event_type":"system_started","aggregate_id":"perf"}\n',
})
const serve = spawn(process.execPath, [CLI, 'serve', dir, '--port', '0'])
const printed = {}
let tokenFollows = false
for await (const line of createInterface({ input: serve.stdout })) {
  if (tokenFollows) printed.token = line.trim()
  tokenFollows = line.endsWith('keep it safe:')
  printed.url ??= /^Serving .* at (http\S+)$/.exec(line)?.[1]
  printed.login = /^Open the inspector once with: (\S+)$/.exec(line)?.[1]
  if (printed.login) break
}
serve.stdout.resume()

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: CHROMIUM_ARGS,
  headless: true,
})
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } })
  // Installed before the app's code so every long task from the first render is counted.
  await page.addInitScript(() => {
    window.__longTasks = []
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) {
        window.__longTasks.push({
          ms: entry.duration,
          at: performance.timeOrigin + entry.startTime,
        })
      }
    }).observe({ type: 'longtask', buffered: true })
  })
  await page.goto(printed.login)
  await page.locator('.live-table__scroller').waitFor()
  if (TRACE_FILE) {
    await browser.startTracing(page, {
      path: TRACE_FILE,
      categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'v8.execute'],
    })
  }
  // The lag sampler: the newest row's aggregate id carries its send time (t-<epoch ms>).
  await page.evaluate(() => {
    window.__lagMs = []
    window.__heap = []
    window.__lagSampler = setInterval(() => {
      const cells = document.querySelectorAll(
        '.live-table__scroller [role="row"] [role="cell"]:nth-child(4)',
      )
      let newest = 0
      for (const cell of cells) {
        const sent = Number(/t-(\d+)/.exec(cell.textContent ?? '')?.[1] ?? 0)
        if (sent > newest) newest = sent
      }
      if (newest > 0) window.__lagMs.push(Date.now() - newest)
    }, 250)
    setInterval(() => window.__heap.push(performance.memory.usedJSHeapSize), 5000)
  })

  const perTick = Math.round((RATE * TICK_MS) / 1000)
  const started = Date.now()
  let sent = 0
  let refused = 0
  while (Date.now() - started < SECONDS * 1000) {
    const due = Math.floor(((Date.now() - started) / 1000) * RATE)
    if (sent >= due) {
      await new Promise((resolve) => setTimeout(resolve, TICK_MS / 2))
      continue
    }
    const count = Math.min(1000, Math.max(perTick, due - sent))
    const now = Date.now()
    const events = Array.from({ length: count }, (_, i) => ({
      event_type: 'agent_heartbeat',
      aggregate_id: `t-${now}`,
      source_agent: 'perf',
      data: { n: sent + i },
    }))
    const response = await fetch(`${printed.url}/events/batch`, {
      method: 'POST',
      headers: { authorization: `Bearer ${printed.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ events }),
    })
    if (response.status === 201) sent += count
    else refused += count
  }
  const appendSeconds = (Date.now() - started) / 1000
  // Lag is the newest row's age only while rows keep coming: once appends stop it just grows.
  await page.evaluate(() => clearInterval(window.__lagSampler))
  await new Promise((resolve) => setTimeout(resolve, 2000))
  if (TRACE_FILE) await browser.stopTracing()
  const measured = await page.evaluate(() => ({
    lag: window.__lagMs,
    longTasks: window.__longTasks,
    heap: window.__heap,
    status: document.querySelector('.live-view__status')?.textContent,
  }))
  const over100 = measured.longTasks.filter((task) => task.ms > 100)
  const sorted = [...measured.lag].sort((a, b) => a - b)
  const pick = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]
  const thirds = [0, 1, 2].map((k) => {
    const part = measured.lag.slice(
      (k * measured.lag.length) / 3,
      ((k + 1) * measured.lag.length) / 3,
    )
    return Math.round(part.reduce((a, b) => a + b, 0) / Math.max(1, part.length))
  })
  console.log(
    JSON.stringify(
      {
        target_rate: RATE,
        achieved_rate: Math.round(sent / appendSeconds),
        appended: sent,
        refused,
        seconds: Math.round(appendSeconds),
        live_status: measured.status,
        lag_ms: { p50: pick(0.5), p95: pick(0.95), max: sorted.at(-1), mean_by_third: thirds },
        long_tasks_over_100ms: over100.map((task) => Math.round(task.ms)),
        // When each began, in seconds from the first append (negative: while the page loaded).
        long_tasks_over_100ms_at_s: over100.map(
          (task) => Math.round((task.at - started) / 100) / 10,
        ),
        long_tasks_50_to_100ms: measured.longTasks.length - over100.length,
        heap_mib_every_5s: measured.heap.map((b) => Math.round(b / 1048576)),
      },
      null,
      2,
    ),
  )
} finally {
  await browser.close()
  serve.kill('SIGTERM')
  await new Promise((resolve) => serve.once('exit', resolve))
  rmSync(join(dir, '..'), { recursive: true, force: true })
}
