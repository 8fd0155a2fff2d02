/** The chain has no block at this number (yet, or any more after a reorg to a shorter chain). */
export class MissingBlockError extends Error {
  override name = 'MissingBlockError'
  readonly number: bigint
  constructor(number: bigint) {
    super(`the chain has no block ${number}`)
    this.number = number
  }
}

/** Headers and logs fetched for a range do not agree (the chain moved between calls, or the node lags). Refetch. */
export class InconsistentRangeError extends Error {
  override name = 'InconsistentRangeError'
}

/** A chain endpoint answered with another chain id than configured. */
export class ChainIdMismatchError extends Error {
  override name = 'ChainIdMismatchError'
}
