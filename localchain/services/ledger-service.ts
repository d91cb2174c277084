/**
 * sui.rpc.v2.LedgerService: service info, objects, transactions, checkpoints, the epoch. Replies
 * are built in full and pruned to the request's read mask, with the defaults the proto documents.
 */
import { GrpcTypes } from '@mysten/sui/grpc';
import { EPOCH, REFERENCE_GAS_PRICE, type Ledger } from '../chain/ledger.ts';
import { isDigest, parseAddress } from '../chain/ids.ts';
import type { CheckpointRecord } from '../chain/types.ts';
import { applyReadMask } from '../render/read-mask.ts';
import { executedTransaction, objectProto, timestamp } from '../render/proto.ts';
import type { GrpcRouter } from '../transport/router.ts';
import { GrpcError, GrpcStatusCode, invalidArgument, notFound } from '../transport/status.ts';

const T = GrpcTypes;
const MAX_BATCH = 1000;
/** Sui's mainnet protocol version around @mysten/sui 2.33; reported, not enforced. */
const PROTOCOL_VERSION = 100n;
const SERVER = 'k8s-daas-localchain/0.1.0';

function object(ledger: Ledger, req: GrpcTypes.GetObjectRequest, paths: string[] | undefined): GrpcTypes.Object {
  const id = parseAddress(req.objectId) ?? (() => { throw invalidArgument(`invalid object id ${JSON.stringify(req.objectId ?? '')}`); })();
  const obj = ledger.getObject(id);
  if (!obj) throw notFound(`Object ${id} not found`);
  if (req.version !== undefined && req.version !== obj.version) throw notFound(`Object ${id} at version ${req.version} not found`);
  return T.Object.create(applyReadMask(objectProto(obj, ledger.data.packageId), paths, ['object_id', 'version', 'digest']));
}

function transaction(ledger: Ledger, digest: string | undefined, paths: string[] | undefined): GrpcTypes.ExecutedTransaction {
  if (!digest || !isDigest(digest)) throw invalidArgument(`invalid transaction digest ${JSON.stringify(digest ?? '')}`);
  const tx = ledger.getTransaction(digest);
  if (!tx) throw notFound(`Transaction ${digest} not found`);
  return T.ExecutedTransaction.create(applyReadMask(executedTransaction(tx, { committed: true }), paths, ['digest']));
}

function status(err: unknown): { code: number; message: string; details: [] } {
  if (err instanceof GrpcError) return { code: err.code, message: err.message, details: [] };
  return { code: GrpcStatusCode.INTERNAL, message: (err as Error).message, details: [] };
}

function checkpoint(ledger: Ledger, c: CheckpointRecord, paths: string[] | undefined): GrpcTypes.Checkpoint {
  const full = T.Checkpoint.create({
    sequenceNumber: c.sequenceNumber,
    digest: c.digest,
    summary: {
      digest: c.digest,
      epoch: EPOCH,
      sequenceNumber: c.sequenceNumber,
      totalNetworkTransactions: c.totalTransactions,
      previousDigest: c.previousDigest ?? undefined,
      epochRollingGasCostSummary: c.rollingGas,
      timestamp: timestamp(c.timestampMs),
    },
    transactions: c.transactions.map((d) => executedTransaction(ledger.getTransaction(d)!, { committed: true })),
  });
  return T.Checkpoint.create(applyReadMask(full, paths, ['sequence_number', 'digest']));
}

function epoch(ledger: Ledger, paths: string[] | undefined): GrpcTypes.Epoch {
  const start = ledger.data.checkpoints[0].timestampMs;
  const full = T.Epoch.create({
    epoch: EPOCH,
    firstCheckpoint: 0n,
    start: timestamp(start),
    referenceGasPrice: REFERENCE_GAS_PRICE,
    protocolConfig: { protocolVersion: PROTOCOL_VERSION, featureFlags: {}, attributes: { max_tx_gas: '50000000000', max_gas_payment_objects: '256' } },
    systemState: {
      version: 2n,
      epoch: EPOCH,
      protocolVersion: PROTOCOL_VERSION,
      referenceGasPrice: REFERENCE_GAS_PRICE,
      epochStartTimestampMs: start,
      safeMode: false,
      safeModeStorageRewards: 0n,
      safeModeComputationRewards: 0n,
      safeModeStorageRebates: 0n,
      safeModeNonRefundableStorageFee: 0n,
      storageFund: { totalObjectStorageRebates: 0n, nonRefundableBalance: 0n },
      parameters: { epochDurationMs: 86_400_000n, stakeSubsidyStartEpoch: 0n, maxValidatorCount: 150n, minValidatorJoiningStake: 0n, validatorLowStakeThreshold: 0n, validatorLowStakeGracePeriod: 0n },
      stakeSubsidy: { balance: 0n, distributionCounter: 0n, currentDistributionAmount: 0n, stakeSubsidyPeriodLength: 0n, stakeSubsidyDecreaseRate: 0 },
    },
  });
  return T.Epoch.create(applyReadMask(full, paths, ['epoch']));
}

/** Registers the LedgerService's unary methods (ListEvents/ListTransactions: query-service.ts). */
export function registerLedgerService(router: GrpcRouter, ledger: Ledger): void {
  const S = T.LedgerService;
  router.handle(S, 'GetServiceInfo', () => {
    const tip = ledger.latestCheckpoint;
    return T.GetServiceInfoResponse.create({
      chainId: ledger.data.chainId,
      chain: 'localnet',
      epoch: EPOCH,
      checkpointHeight: tip.sequenceNumber,
      timestamp: timestamp(tip.timestampMs),
      lowestAvailableCheckpoint: 0n,
      lowestAvailableCheckpointObjects: 0n,
      server: SERVER,
    });
  });
  router.handle(S, 'GetObject', (req: GrpcTypes.GetObjectRequest) => T.GetObjectResponse.create({ object: object(ledger, req, req.readMask?.paths) }));
  router.handle(S, 'BatchGetObjects', (req: GrpcTypes.BatchGetObjectsRequest) => {
    if (req.requests.length > MAX_BATCH) throw invalidArgument(`at most ${MAX_BATCH} objects per request`);
    const objects = req.requests.map((r): GrpcTypes.GetObjectResult => {
      try {
        return { result: { oneofKind: 'object', object: object(ledger, r, req.readMask?.paths) } };
      } catch (err) {
        return { result: { oneofKind: 'error', error: status(err) } };
      }
    });
    return T.BatchGetObjectsResponse.create({ objects });
  });
  router.handle(S, 'GetTransaction', (req: GrpcTypes.GetTransactionRequest) =>
    T.GetTransactionResponse.create({ transaction: transaction(ledger, req.digest, req.readMask?.paths) }),
  );
  router.handle(S, 'BatchGetTransactions', (req: GrpcTypes.BatchGetTransactionsRequest) => {
    if (req.digests.length > MAX_BATCH) throw invalidArgument(`at most ${MAX_BATCH} transactions per request`);
    const transactions = req.digests.map((d): GrpcTypes.GetTransactionResult => {
      try {
        return { result: { oneofKind: 'transaction', transaction: transaction(ledger, d, req.readMask?.paths) } };
      } catch (err) {
        return { result: { oneofKind: 'error', error: status(err) } };
      }
    });
    return T.BatchGetTransactionsResponse.create({ transactions });
  });
  router.handle(S, 'GetCheckpoint', (req: GrpcTypes.GetCheckpointRequest) => {
    const id = req.checkpointId;
    let c: CheckpointRecord | undefined;
    if (id.oneofKind === 'sequenceNumber') c = ledger.getCheckpoint(id.sequenceNumber);
    else if (id.oneofKind === 'digest') c = ledger.getCheckpointByDigest(id.digest);
    else c = ledger.latestCheckpoint;
    if (!c) throw notFound(`Checkpoint ${id.oneofKind === 'sequenceNumber' ? id.sequenceNumber : id.oneofKind === 'digest' ? id.digest : ''} not found`);
    return T.GetCheckpointResponse.create({ checkpoint: checkpoint(ledger, c, req.readMask?.paths) });
  });
  router.handle(S, 'GetEpoch', (req: GrpcTypes.GetEpochRequest) => {
    if (req.epoch !== undefined && req.epoch !== EPOCH) throw notFound(`Epoch ${req.epoch} not found`);
    return T.GetEpochResponse.create({ epoch: epoch(ledger, req.readMask?.paths) });
  });
}
