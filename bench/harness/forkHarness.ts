import type { ChildProcess } from 'node:child_process'
import { fork } from 'node:child_process'

/**
 * forkHarness starts the harness again as a child in one of its child modes, and resolves
 * with the child and its first message; it rejects when the child ends before sending one.
 */
export function forkHarness(
  harnessFile: string,
  args: string[],
  execArgv: string[] = [],
): Promise<{ child: ChildProcess; message: unknown }> {
  const child = fork(harnessFile, args, { execArgv, stdio: 'inherit' })
  return new Promise((resolve, reject) => {
    child.once('message', (message) => resolve({ child, message }))
    child.once('error', reject)
    child.once('exit', (code, signal) =>
      reject(new Error(`${args[0]} child ended (${signal ?? code}) before reporting.`)),
    )
  })
}
