/**
 * What the local chain stores: objects, executed transactions (with effects and events) and
 * checkpoints. Plain data (bigint and Uint8Array included) so the ledger can be persisted by
 * chain/persistence.ts and turned into protobuf messages by render/.
 */
import type { PackageState } from '../move/types.ts';

export type ObjectOwner =
  | { kind: 'address'; address: string }
  | { kind: 'shared'; initialVersion: bigint }
  | { kind: 'immutable' };

export interface StoredObject {
  /** `0x` + 64 hex. */
  id: string;
  version: bigint;
  /** base58 of blake2b("Object::" ‖ BCS of the whole object); see chain/objects.ts. */
  digest: string;
  owner: ObjectOwner;
  /** Full struct tag in long form, or `package` for the package object. */
  type: string;
  hasPublicTransfer: boolean;
  /** BCS of the Move struct (its UID first); empty for the package. */
  contents: Uint8Array;
  previousTransaction: string;
  storageRebate: bigint;
}

export interface ObjectState {
  version: bigint;
  digest: string;
  owner: ObjectOwner;
}

export interface ChangedObjectRecord {
  objectId: string;
  objectType: string;
  /** null: the object did not exist before (created). */
  input: ObjectState | null;
  /** null: the object does not exist after (deleted). */
  output: ObjectState | null;
  idOperation: 'none' | 'created' | 'deleted';
}

export interface UnchangedSharedRecord {
  objectId: string;
  objectType: string;
  version: bigint;
  digest: string;
}

export interface GasCost {
  computationCost: bigint;
  storageCost: bigint;
  storageRebate: bigint;
  nonRefundableStorageFee: bigint;
}

/** A failed execution, in the terms of sui.rpc.v2.ExecutionError. */
export interface ExecutionErrorRecord {
  /** ExecutionError_ExecutionErrorKind value. */
  kind: number;
  description: string;
  command?: number;
  abort?: { code: bigint; package: string; module: string; functionName: string; function: number; instruction: number };
  commandArgument?: { argument: number; kind: number };
  index?: { index: number; subresult?: number };
}

export type ExecutionStatusRecord = { success: true } | { success: false; error: ExecutionErrorRecord };

export interface EffectsRecord {
  status: ExecutionStatusRecord;
  epoch: bigint;
  gasUsed: GasCost;
  gasObjectId: string | null;
  lamportVersion: bigint;
  /** Sorted by object id, as in Sui's effects. */
  changedObjects: ChangedObjectRecord[];
  unchangedShared: UnchangedSharedRecord[];
  dependencies: string[];
}

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export interface EventRecord {
  packageId: string;
  module: string;
  sender: string;
  /** `0x<64 hex>::module::Name`. */
  type: string;
  bcs: Uint8Array;
  /** Rendered as a real node renders Move values (render/move-json.ts). */
  json: JsonValue;
}

export interface BalanceChangeRecord {
  address: string;
  coinType: string;
  /** Signed decimal. */
  amount: string;
}

export interface TransactionRecord {
  digest: string;
  /** TransactionData BCS; null for the genesis transaction, which has no user data. */
  bcs: Uint8Array | null;
  signatures: Uint8Array[];
  effects: EffectsRecord;
  events: EventRecord[];
  balanceChanges: BalanceChangeRecord[];
  checkpoint: bigint;
  timestampMs: bigint;
}

export interface CheckpointRecord {
  sequenceNumber: bigint;
  digest: string;
  previousDigest: string | null;
  timestampMs: bigint;
  transactions: string[];
  /** Transactions in this and all earlier checkpoints. */
  totalTransactions: bigint;
  /** Gas of this epoch up to and including this checkpoint. */
  rollingGas: GasCost;
}

/** Everything that makes up the chain; what --state persists. */
export interface LedgerData {
  chainId: string;
  packageId: string;
  registryId: string;
  schedulerId: string;
  masterCapId: string;
  /** `suiprivkey1…` of the publisher, who holds the MasterCap. */
  masterPrivateKey: string;
  /** `suiprivkey1…` of the faucet account. */
  faucetPrivateKey: string;
  objects: Map<string, StoredObject>;
  /** In execution order. */
  transactions: TransactionRecord[];
  checkpoints: CheckpointRecord[];
  packageState: PackageState;
}
