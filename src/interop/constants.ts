/** CrossL2Inbox predeploy (specs/interop/predeploys.md). */
export const CROSS_L2_INBOX = '0x4200000000000000000000000000000000000022'
/** L2ToL2CrossDomainMessenger predeploy. */
export const L2_TO_L2_MESSENGER = '0x4200000000000000000000000000000000000023'
/** keccak256("ExecutingMessage(bytes32,(address,uint256,uint256,uint256,uint256))"). */
export const EXECUTING_MESSAGE_TOPIC = '0x5c37832d2e8d10e346e55ad62071a6a2f9fa5130614ef2ec6617555c6f467ba7'
/** Message expiry window, EXPIRY_TIME in specs/interop/messaging.md: 7 days. */
export const EXPIRY_WINDOW_S = 604_800n
/** Timeout a tx pre-verifier asks for (1 day); a block builder uses 0. */
export const PREVERIFIER_TIMEOUT_S = 86_400n
export const MAX_UINT64 = 0xffff_ffff_ffff_ffffn
export const MAX_UINT32 = 0xffff_ffff
export const MAX_UINT256 = (1n << 256n) - 1n
