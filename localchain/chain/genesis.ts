/**
 * A fresh chain: the Clock, the published k8s_daas package with what its `init` creates (the
 * shared WorkerRegistry and K8sScheduler, the publisher's MasterCap), a funded gas coin for the
 * publisher (the master) and a large one for the faucet, all in checkpoint 0. The package's
 * objects start at version 2, not 1, so a client that hard-codes an initial shared version of 1
 * fails here as it would on a real network.
 */
import { Ed25519Keypair } from '@mysten/sui/keypairs/ed25519';
import { emptyPackageState } from '../move/package.ts';
import { makeCheckpoint } from './ledger.ts';
import { CLOCK_ID, CLOCK_TYPE, deriveObjectId, randomAddress, randomDigest } from './ids.ts';
import { newCoin, newObject } from './objects.ts';
import { clockContents, packageType, registryContents, schedulerContents } from './package-objects.ts';
import { MasterCap } from '../../shared/chain/events.ts';
import type { ChangedObjectRecord, LedgerData, StoredObject, TransactionRecord } from './types.ts';

export const MIST_PER_SUI = 1_000_000_000n;
export const MASTER_FUNDING = 1000n * MIST_PER_SUI;
export const FAUCET_FUNDING = 1_000_000_000n * MIST_PER_SUI;

export interface GenesisOptions {
  timestampMs: bigint;
}

function created(obj: StoredObject): ChangedObjectRecord {
  return {
    objectId: obj.id,
    objectType: obj.type,
    input: null,
    output: { version: obj.version, digest: obj.digest, owner: obj.owner },
    idOperation: 'created',
  };
}

/** A new chain with fresh keys and ids. */
export function createGenesis({ timestampMs }: GenesisOptions): LedgerData {
  const master = new Ed25519Keypair();
  const faucet = new Ed25519Keypair();
  const masterAddress = master.toSuiAddress();
  const digest = randomDigest();
  const packageId = randomAddress();
  const [registryId, schedulerId, masterCapId, masterCoinId, faucetCoinId] = [0, 1, 2, 3, 4].map((i) => deriveObjectId(digest, i));
  const state = emptyPackageState();
  const base = { previousTransaction: digest };
  const shared = (v: bigint) => ({ kind: 'shared' as const, initialVersion: v });

  const objects: StoredObject[] = [
    newObject({ ...base, id: CLOCK_ID, version: 1n, owner: shared(1n), type: CLOCK_TYPE, hasPublicTransfer: false, contents: clockContents(CLOCK_ID, timestampMs) }),
    newObject({ ...base, id: packageId, version: 1n, owner: { kind: 'immutable' }, type: 'package', hasPublicTransfer: false, contents: new Uint8Array() }),
    newObject({ ...base, id: registryId, version: 2n, owner: shared(2n), type: packageType(packageId, 'WorkerRegistry'), hasPublicTransfer: false, contents: registryContents(registryId, state) }),
    newObject({ ...base, id: schedulerId, version: 2n, owner: shared(2n), type: packageType(packageId, 'K8sScheduler'), hasPublicTransfer: false, contents: schedulerContents(schedulerId, state) }),
    newObject({
      ...base,
      id: masterCapId,
      version: 2n,
      owner: { kind: 'address', address: masterAddress },
      type: packageType(packageId, 'MasterCap'),
      hasPublicTransfer: true,
      contents: MasterCap.serialize({ id: masterCapId }).toBytes(),
    }),
    newCoin(masterCoinId, MASTER_FUNDING, masterAddress, 1n, digest),
    newCoin(faucetCoinId, FAUCET_FUNDING, faucet.toSuiAddress(), 1n, digest),
  ];

  const genesisTx: TransactionRecord = {
    digest,
    bcs: null,
    signatures: [],
    effects: {
      status: { success: true },
      epoch: 0n,
      gasUsed: { computationCost: 0n, storageCost: 0n, storageRebate: 0n, nonRefundableStorageFee: 0n },
      gasObjectId: null,
      lamportVersion: 2n,
      changedObjects: objects.map(created).sort((a, b) => (a.objectId < b.objectId ? -1 : 1)),
      unchangedShared: [],
      dependencies: [],
    },
    events: [],
    balanceChanges: [],
    checkpoint: 0n,
    timestampMs,
  };
  const checkpoint = makeCheckpoint(null, genesisTx);
  return {
    // A real chain's identifier is the digest of its genesis checkpoint.
    chainId: checkpoint.digest,
    packageId,
    registryId,
    schedulerId,
    masterCapId,
    masterPrivateKey: master.getSecretKey(),
    faucetPrivateKey: faucet.getSecretKey(),
    objects: new Map(objects.map((o) => [o.id, o])),
    transactions: [genesisTx],
    checkpoints: [checkpoint],
    packageState: state,
  };
}
