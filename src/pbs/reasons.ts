/**
 * Every reason a builder submission is not used, as stable snake_case strings. The first group is
 * answered synchronously by `pbs_submitBlock` as `{status: "rejected", reason}`; the second is
 * known only after the submission was accepted (metrics `outcome` and the `validated` event).
 * This table is the single source of the README's rejection-reasons table.
 */
export const REJECTION_REASONS = {
  // Fast path (cheap checks, synchronous).
  malformed_submission:
    'the params are not a submission object, or a field is missing or not hex of the right size (also a JSON-RPC -32602 error)',
  builders_disabled: 'execution mode is `disabled`: builder blocks are not taken',
  circuit_open: 'this builder sent repeated invalid blocks and is ignored until its cool-down ends',
  unknown_job: 'jobId is not the current job (superseded, or never announced)',
  past_deadline: 'the submission arrived after the job deadline',
  job_sealed: 'the block for this job was already sealed',
  rate_limited: 'the builder exceeded its submissions per job',
  too_many_transactions: 'more transactions than --max-block-txs',
  wrong_payload_version: 'withdrawalsRoot present on a V3 job or missing on a V4 job',
  wrong_parent_hash: 'executionPayload.parentHash is not the job parent hash',
  wrong_block_number: 'blockNumber is not parent number + 1',
  wrong_timestamp: 'timestamp is not attributes.timestamp',
  wrong_prev_randao: 'prevRandao is not attributes.prevRandao',
  wrong_fee_recipient: 'feeRecipient is not attributes.suggestedFeeRecipient',
  wrong_gas_limit: 'gasLimit is not attributes.gasLimit',
  wrong_extra_data: 'extraData does not encode attributes.eip1559Params / minBaseFee (Holocene / Jovian)',
  wrong_withdrawals: 'withdrawals differ from attributes.withdrawals',
  wrong_parent_beacon_block_root: 'parentBeaconBlockRoot is not attributes.parentBeaconBlockRoot',
  bad_execution_requests: 'executionRequests not empty (OP Isthmus), or given on a V3 job',
  missing_forced_transactions: 'the block does not start with exactly attributes.transactions',
  gas_used_exceeds_limit: 'gasUsed > gasLimit',
  bad_block_hash: 'blockHash is not keccak(rlp(header)) of the payload',
  duplicate_block: 'this builder already submitted this exact block for this job',
  stale_sequence:
    '`sequence` is not above the highest this builder sent for this job (a newer submission already replaced it)',
  block_too_large: 'the uncompressed block (header fields and transactions) is over --max-submission-bytes',
  // After acceptance (engine validation, selection).
  superseded: 'a newer submission from the same builder arrived while this one waited for validation',
  invalid_block: 'engine_newPayload answered INVALID or INVALID_BLOCK_HASH',
  not_validated: 'engine_newPayload answered SYNCING or ACCEPTED (only VALID counts)',
  validation_error: 'engine_newPayload failed or timed out',
  validated_too_late: 'validation finished after the block was sealed',
} as const

export type RejectionReason = keyof typeof REJECTION_REASONS
