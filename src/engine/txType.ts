/** EIP-2718 type bytes; 0x7e is the OP deposit transaction. */
export const DEPOSIT_TX_TYPE = 0x7e
