import { open, rename, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { nodeFileSystem } from '../engine/nodeFileSystem'

/**
 * AuditLog records every admin action (who, when, what, with what result): those `serve`
 * takes and token changes made with `tokens`, as JSON lines in the store directory, each
 * line fsynced before the action is answered, and echoes it to the operator through
 * `report`. Its size is bounded: when the file would pass
 * AUDIT_LOG_BYTES_MAX it becomes AUDIT_FILE_NAME.1 (replacing the older one) and a new
 * file starts, so at most twice that is kept. Lines are written one at a time, in order.
 */

export const AUDIT_FILE_NAME = 'admin-audit.jsonl'
/** Bytes one audit file may reach before it is rotated. */
export const AUDIT_LOG_BYTES_MAX = 1024 * 1024
/** Characters of a result kept in a record; job reports and messages can be long. */
export const AUDIT_RESULT_CHARS_MAX = 500

export interface AuditRecord {
  /** The name of the token (or `ui-session`) that asked. */
  token: string
  /** What was asked, e.g. `verify`, `recover`, `approve`. */
  action: string
  /** The HTTP status answered (`tokens` records 0: it has no HTTP answer). */
  status: number
  /** What came of it: a job id, or the error code and message. */
  result: string
}

export class AuditLog {
  private readonly path: string
  private tail: Promise<void> = Promise.resolve()

  constructor(
    private readonly dir: string,
    private readonly report: (line: string) => void,
    private readonly nowMs: () => number = Date.now,
  ) {
    this.path = join(dir, AUDIT_FILE_NAME)
  }

  /**
   * record appends one line and resolves once it is on disk. When the file cannot be
   * written, the record still reaches stderr, with the reason, and the promise rejects.
   */
  record(record: AuditRecord): Promise<void> {
    const line = `${JSON.stringify({
      at: new Date(this.nowMs()).toISOString(),
      token: record.token,
      action: record.action,
      status: record.status,
      result: record.result.slice(0, AUDIT_RESULT_CHARS_MAX),
    })}\n`
    this.report(`admin ${record.action} by "${record.token}": ${record.status} ${record.result}`)
    const written = this.tail.then(() => this.append(line))
    this.tail = written.catch(() => undefined)
    return written.catch((error: unknown) => {
      const reason = error instanceof Error ? error.message : String(error)
      this.report(`could not write ${this.path} (${reason}); the line was: ${line.trim()}`)
      throw error
    })
  }

  private async append(line: string): Promise<void> {
    const size = (await stat(this.path).catch(() => null))?.size ?? 0
    if (size > 0 && size + Buffer.byteLength(line) > AUDIT_LOG_BYTES_MAX) {
      await rename(this.path, `${this.path}.1`)
      await nodeFileSystem.syncDir(this.dir)
    }
    const file = await open(this.path, 'a', 0o600)
    try {
      await file.write(line)
      await file.sync()
    } finally {
      await file.close()
    }
    if (size === 0) await nodeFileSystem.syncDir(this.dir)
  }
}
