export {
  type AccountOverride,
  type CallEnv,
  type CallMsg,
  type CallOutcome,
  type StateOverride,
  StateReader,
} from './call.js'
export { evmCommon, hardforkOf } from './common.js'
export {
  EMITTER_ADDRESS,
  EMITTER_CODE,
  EMITTER_TOPIC,
  INBOX_ADDRESS,
  INBOX_CODE,
  VALIDATE_MESSAGE_SELECTOR,
} from './contracts.js'
export {
  BASE_FEE_VAULT,
  type BlockEnv,
  type BlockExecution,
  BlockExecutor,
  type BlockHashes,
  type ExecMode,
  type ExecTx,
  L2_TO_L1_MESSAGE_PASSER,
  SEQUENCER_FEE_VAULT,
} from './executor.js'
export {
  type AllocAccount,
  DEFAULT_GENESIS_BASE_FEE,
  DEFAULT_GENESIS_GAS_LIMIT,
  DEFAULT_GENESIS_TIME,
  DEV_ACCOUNTS,
  DEV_BALANCE,
  defaultGenesis,
  type Genesis,
  GenesisError,
  genesisToJson,
  parseGenesisJson,
} from './genesis.js'
export { type EvmLog, type EvmReceipt, encodeReceipt, type ReceiptContext, rpcLog, rpcReceipt } from './receipt.js'
export { type EvmSealInput, envOf, sealEvmPayload } from './sealEvmPayload.js'
export { StateDb } from './stateDb.js'
