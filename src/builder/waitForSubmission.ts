import type { EventEmitter } from 'node:events'
import type { SubmittedEvent } from './submissionClient.js'

/** Resolves with the next `submitted` event that satisfies `match`; rejects after `timeoutMs`. */
export function waitForSubmission(
  events: EventEmitter,
  match: (e: SubmittedEvent) => boolean = () => true,
  timeoutMs = 15_000,
): Promise<SubmittedEvent> {
  return new Promise<SubmittedEvent>((resolve, reject) => {
    const t = setTimeout(() => {
      events.off('submitted', on)
      reject(new Error('timed out waiting for a submission'))
    }, timeoutMs)
    const on = (e: SubmittedEvent) => {
      if (!match(e)) return
      clearTimeout(t)
      events.off('submitted', on)
      resolve(e)
    }
    events.on('submitted', on)
  })
}
