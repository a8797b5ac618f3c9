import type { FileHandle, FileSystem } from '../../src/main/engine/fileSystem'
import type { FaultFileSystem, Operation, PowerLossOptions } from './faultFileSystem'

/**
 * PowerSwitch puts a FaultFileSystem behind a switch that cuts the power right before a
 * chosen call, so a crash test can stop a running store anywhere in its I/O (between the
 * write and the fdatasync of a group commit, between a rename and its directory sync), not
 * only between two awaited appends. The call that meets the cut is not performed: it and
 * every later call fail, as on a machine that went dark, and `rebooted` is the disk that
 * the next boot sees.
 */
export interface CallInfo {
  /** 0-based position of the call among all calls made through this switch. */
  index: number
  op: Operation
  /** The path the call names (a handle's calls name the path it was opened with). */
  path: string
}

export class PowerSwitch {
  /** fs is what the store under test is given. */
  readonly fs: FileSystem
  /** trace lists every call made through the switch, in order, including the one cut. */
  readonly trace: CallInfo[] = []
  private cutWhen: ((call: CallInfo) => boolean) | null = null
  private powerLoss: PowerLossOptions = {}
  private rebootedDisk: FaultFileSystem | null = null

  constructor(private readonly disk: FaultFileSystem) {
    this.fs = this.wrapFileSystem()
  }

  /**
   * cutAt cuts the power right before the first later call for which `when` is true.
   * `powerLoss` says how unsynced tails survive (see PowerLossOptions); by default they
   * are lost.
   */
  cutAt(when: (call: CallInfo) => boolean, powerLoss: PowerLossOptions = {}): void {
    this.cutWhen = when
    this.powerLoss = powerLoss
  }

  /** cutAfterCalls lets `count` more calls through and cuts the power before the next one. */
  cutAfterCalls(count: number, powerLoss: PowerLossOptions = {}): void {
    const at = this.trace.length + count
    this.cutAt((call) => call.index >= at, powerLoss)
  }

  /**
   * cut cuts the power now, unless it is already off, and returns the rebooted disk.
   * Without `powerLoss`, the options of the last cutAt apply.
   */
  cut(powerLoss: PowerLossOptions = this.powerLoss): FaultFileSystem {
    this.rebootedDisk ??= this.disk.powerLoss(powerLoss)
    return this.rebootedDisk
  }

  /** The disk after the reboot, or null while the power is still on. */
  get rebooted(): FaultFileSystem | null {
    return this.rebootedDisk
  }

  private enter(op: Operation, path: string): void {
    const call: CallInfo = { index: this.trace.length, op, path }
    this.trace.push(call)
    if (!this.rebootedDisk && this.cutWhen?.(call)) this.cut()
    // After the cut the disk itself refuses every call, so the call below throws.
  }

  private wrapFileSystem(): FileSystem {
    const disk = this.disk
    return {
      open: async (path, mode) => {
        this.enter('open', path)
        return this.wrapHandle(await disk.open(path, mode), path)
      },
      create: async (path) => {
        this.enter('create', path)
        return this.wrapHandle(await disk.create(path), path)
      },
      readFile: async (path) => {
        this.enter('readFile', path)
        return disk.readFile(path)
      },
      rename: async (from, to) => {
        this.enter('rename', `${from} -> ${to}`)
        return disk.rename(from, to)
      },
      unlink: async (path) => {
        this.enter('unlink', path)
        return disk.unlink(path)
      },
      mkdir: async (path) => {
        this.enter('mkdir', path)
        return disk.mkdir(path)
      },
      readdir: async (path) => {
        this.enter('readdir', path)
        return disk.readdir(path)
      },
      size: async (path) => {
        this.enter('size', path)
        return disk.size(path)
      },
      syncDir: async (path) => {
        this.enter('syncDir', path)
        return disk.syncDir(path)
      },
    }
  }

  private wrapHandle(handle: FileHandle, path: string): FileHandle {
    return {
      read: async (buffer, offset, length, position) => {
        this.enter('read', path)
        return handle.read(buffer, offset, length, position)
      },
      write: async (buffers, position) => {
        this.enter('write', path)
        return handle.write(buffers, position)
      },
      datasync: async () => {
        this.enter('datasync', path)
        return handle.datasync()
      },
      truncate: async (length) => {
        this.enter('truncate', path)
        return handle.truncate(length)
      },
      size: async () => {
        this.enter('size', path)
        return handle.size()
      },
      close: async () => {
        this.enter('close', path)
        return handle.close()
      },
    }
  }
}
