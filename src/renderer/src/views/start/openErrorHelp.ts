/**
 * openErrorHelp turns a failed open into plain words and the next steps a person can take:
 * a store held by another writer can still be followed read-only, a folder that is not a
 * store can become one, a damaged store can be inspected and repaired.
 */
import type { ErrorBody } from '../../../../shared/errorCodes'

export type OpenOffer = 'follow' | 'create' | 'files' | 'recovery'

export interface OpenErrorHelp {
  message: string
  offers: OpenOffer[]
}

export function openErrorHelp(path: string, error: ErrorBody): OpenErrorHelp {
  switch (error.code) {
    case 'store_locked':
      return {
        message: `Another process is writing to ${path}. You can follow it instead: read-only, with new events appearing as that process appends them.`,
        offers: ['follow'],
      }
    case 'not_a_store':
      return { message: `${path} is not a Lighthouse store. ${error.message}`, offers: ['create'] }
    case 'needs_recovery':
    case 'corruption':
      return {
        message: `${path} is damaged: ${error.message} Open it read-only to look, then verify its files and run recovery.`,
        offers: ['follow', 'files', 'recovery'],
      }
    case 'not_available':
      return {
        message:
          'This page is served for one store only, so it cannot open other folders. Start `lighthouse-store serve DIR` for another store.',
        offers: [],
      }
    default:
      return { message: error.message, offers: [] }
  }
}
