import type { RecoveryReport } from '../../shared/report'
import { EventStore } from '../engine/eventStore'
import type { RecoverWorkerData } from './recoveryRun'
import { answerWorkerTask } from './workerTask'

/**
 * The recovery worker: runs EventStore.recover on its own thread, so the deep read of
 * every record (digests, inflating sealed segments) never holds up the thread that serves
 * the UI, and posts back the report or the error with its code.
 */
answerWorkerTask<RecoverWorkerData, RecoveryReport>(({ dir }) => EventStore.recover(dir))
