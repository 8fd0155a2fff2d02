/** A transaction the builder's mempool refuses: one class with engine-sim's (-32000 and geth's wording). */
export { TxRejectedError } from '../engine/errors.js'
