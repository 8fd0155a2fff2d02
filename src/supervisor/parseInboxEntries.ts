import { readError } from '../check/checkRequest.js'
import { type Access, parseAccessList } from '../interop/index.js'

/** checkAccessList's first param: CrossL2Inbox storage keys → accesses, or -32602 "failed to read data: …". */
export function parseInboxEntries(value: unknown): Access[] {
  if (value === null || value === undefined) return [] // Go decodes null as an empty list
  if (!Array.isArray(value)) throw readError(new Error('inbox entries must be an array'))
  try {
    return parseAccessList(value)
  } catch (err) {
    throw readError(err)
  }
}
