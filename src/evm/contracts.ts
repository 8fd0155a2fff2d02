import { CROSS_L2_INBOX, EXECUTING_MESSAGE_TOPIC, type Hex } from '../interop/index.js'

/**
 * Hand-assembled runtime bytecode of the local chains' contracts: engine-sim's default genesis puts
 * them in its alloc, the devnet's anvil chains install them with anvil_setCode (no compiler needed
 * at run time). Each is a few dozen bytes; the assembly is beside it.
 */

/**
 * Topic0 of the emitter's logs: keccak256("superguard.Emitter.Message(uint256,bytes)"), written out
 * (test/evm/contracts.test.ts hashes it again) so that loading this module hashes nothing.
 */
export const EMITTER_TOPIC: Hex = '0x24faa085df834f7e3636e35adcc66f47f8ca07960c3af8a244580e6946544204'
/** Where the devnet installs the emitter (and engine-sim's default genesis has it). */
export const EMITTER_ADDRESS = '0x00000000000000000000000000000000000e1771' as const

/**
 * Emitter: calldata = uint256 n ++ payload. Emits n logs LOG2(EMITTER_TOPIC, i) with data = payload,
 * for i = n..1. Calldata must be at least 32 bytes.
 *   PUSH1 20 CALLDATASIZE SUB PUSH1 20 PUSH0 CALLDATACOPY      mem[0..] = calldata[32..]
 *   PUSH0 CALLDATALOAD                                          n
 * loop: JUMPDEST DUP1 ISZERO PUSH1 end JUMPI
 *   DUP1 PUSH32 topic PUSH1 20 CALLDATASIZE SUB PUSH0 LOG2      log(topic, i) data=payload
 *   PUSH1 1 SWAP1 SUB PUSH1 loop JUMP
 * end: JUMPDEST STOP
 */
export const EMITTER_CODE =
  `0x602036036020 5f37 5f35 5b 8015603f57 807f${EMITTER_TOPIC.slice(2)} 60203603 5f a2 6001 9003 600a56 5b00`.replace(
    /\s/g,
    '',
  ) as Hex

/**
 * CrossL2Inbox stand-in at 0x4200…0022: validateMessage(Identifier _id, bytes32 _msgHash) emits
 * ExecutingMessage(msgHash indexed, identifier) exactly as the predeploy does. It does not check that
 * the checksum slot is warm (the predeploy's on-chain rule); the supervisor checks the access list.
 *   PUSH1 a0 PUSH1 04 PUSH0 CALLDATACOPY    mem[0..160] = identifier
 *   PUSH1 a4 CALLDATALOAD                   msgHash (topic1)
 *   PUSH32 EXECUTING_MESSAGE_TOPIC PUSH1 a0 PUSH0 LOG2 STOP
 */
export const INBOX_CODE = `0x60a060045f37 60a435 7f${EXECUTING_MESSAGE_TOPIC.slice(2)} 60a05f a2 00`.replace(
  /\s/g,
  '',
) as Hex

export const INBOX_ADDRESS = CROSS_L2_INBOX

/** Selector of validateMessage((address,uint256,uint256,uint256,uint256),bytes32) (test/evm/contracts.test.ts). */
export const VALIDATE_MESSAGE_SELECTOR: Hex = '0xab4d6f75'
