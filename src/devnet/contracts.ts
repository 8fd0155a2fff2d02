/** The local chains' contracts live in the evm floor (engine-sim's default genesis has them too). */
export {
  EMITTER_ADDRESS,
  EMITTER_CODE,
  EMITTER_TOPIC,
  INBOX_ADDRESS,
  INBOX_CODE,
  VALIDATE_MESSAGE_SELECTOR,
} from '../evm/contracts.js'
