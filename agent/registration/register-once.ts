/**
 * Registration, exactly once: a worker's stake goes on chain at most one time, however often the
 * agent restarts or is killed. The chain is the truth; the state file (state-file.ts) only remembers
 * a transaction that was sent but whose result this host never saw.
 */
import type { Signer } from '@mysten/sui/cryptography';
import { normalizeSuiAddress } from '@mysten/sui/utils';
import type { Logger } from 'pino';
import { MoveAbortError, decodeChainError } from '../../shared/chain/chain-errors.ts';
import { sealPubkeyBase64 } from '../../shared/chain/seal-key.ts';
import { GAS_BUDGET_ALLOWANCE_MIST, type OnChainWorker, type WorkerChain } from '../../shared/chain/worker-chain.ts';
import { systemClock, type Clock } from '../../shared/clock.ts';
import { insufficientBalanceError, nodeIdTakenError, sealKeyMismatchError, workerGoneError } from './errors.ts';
import { readRegistrationState, writeRegistrationState, type RegistrationState } from './state-file.ts';

/** The chain verbs registration needs (a WorkerChain has them). */
export type RegistrationChain = Pick<WorkerChain, 'registerWorker' | 'findRegistration' | 'transactionEvents' | 'balance'>;

export interface RegisterOnceOptions {
  chain: RegistrationChain;
  /** The owner key: pays the stake and owns the worker. */
  signer: Signer;
  nodeId: string;
  /** The 32-byte public key of the seal token (sealPublicKey). */
  sealPubkey: Uint8Array;
  stakeMist: bigint;
  /** Path of the state file, normally registrationStateFile(K8S_DAAS_STATE_DIR). */
  stateFile: string;
  logger: Logger;
  /**
   * How long after sending a transaction the node may still not know it (in flight). A restart within
   * this window waits it out before concluding the transaction was lost. Default 30 s.
   */
  inFlightGraceMs?: number;
  clock?: Clock;
}

/** How the worker came to be registered. */
export type RegistrationOutcome = 'registered' | 'reused' | 'recovered';

export interface WorkerRegistration {
  nodeId: string;
  owner: string;
  sealPubkey: Uint8Array;
  /** The stake the registry holds for the worker, in MIST. */
  stakeMist: bigint;
  /** The registration transaction; null when the worker was registered elsewhere (e.g. from a wallet). */
  digest: string | null;
  /** The StakeProof object; null when this host did not see the transaction's effects (reused or recovered). */
  stakeProofId: string | null;
  outcome: RegistrationOutcome;
}

interface Context extends RegisterOnceOptions {
  owner: string;
  log: Logger;
}

/**
 * Makes sure `nodeId` is registered on chain by `signer` with `sealPubkey`, staking only when neither
 * the chain nor the state file shows an earlier registration.
 * @throws DaasError NODE_ID_TAKEN, SEAL_KEY_MISMATCH, INSUFFICIENT_BALANCE, WORKER_DEREGISTERED
 *   (errors.ts), REGISTRATION_STATE_* (state-file.ts), or a chain error by its Move name
 *   (MoveAbortError) / CHAIN_UNAVAILABLE (retryable).
 */
export async function registerOnce(options: RegisterOnceOptions): Promise<WorkerRegistration> {
  const ctx: Context = {
    ...options,
    owner: normalizeSuiAddress(options.signer.toSuiAddress()),
    log: options.logger.child({ component: 'registration', nodeId: options.nodeId }),
  };
  let state = await readRegistrationState(ctx.stateFile);
  if (state && (state.nodeId !== ctx.nodeId || state.owner !== ctx.owner)) {
    ctx.log.warn(
      { stateFile: ctx.stateFile, recordedNodeId: state.nodeId, recordedOwner: state.owner },
      `⚠️ State file describes worker ${state.nodeId} of ${state.owner}; starting over for ${ctx.nodeId}`,
    );
    state = null;
  }
  let recovered = false;
  if (state?.digest && !state.registered) {
    state = await settleSentTransaction(ctx, state);
    recovered = state.registered;
  }
  const onChain = await chainCall(() => ctx.chain.findRegistration(ctx.nodeId));
  if (onChain) return adopt(ctx, onChain, state, recovered);
  if (state?.registered) throw workerGoneError(ctx.nodeId, state.digest, ctx.stateFile);
  await checkBalance(ctx);
  return stake(ctx);
}

/**
 * A transaction was sent but its result never recorded: ask the chain what became of it. Returns the
 * state with the result recorded (registered), or cleared (failed or lost: nothing was staked).
 */
async function settleSentTransaction(ctx: Context, state: RegistrationState): Promise<RegistrationState> {
  const digest = state.digest!;
  let events = await chainCall(() => ctx.chain.transactionEvents(digest));
  const clock = ctx.clock ?? systemClock;
  const wait = Date.parse(state.updatedAt) + (ctx.inFlightGraceMs ?? 30_000) - clock.now();
  if (events === null && wait > 0) {
    ctx.log.info({ digest, waitMs: wait }, `⏳ Registration tx ${digest} of worker ${ctx.nodeId} is not on chain yet; waiting ${wait} ms`);
    await clock.sleep(wait);
    events = await chainCall(() => ctx.chain.transactionEvents(digest));
  }
  const registered = events?.find((e) => e.kind === 'WorkerRegistered' && e.nodeId === ctx.nodeId);
  if (registered) {
    ctx.log.info({ digest }, `♻️ Worker ${ctx.nodeId} registration tx ${digest} found on chain after a restart; not staking again`);
    return record(ctx, { ...state, registered: true, stakeProofId: null });
  }
  if (events === null) {
    ctx.log.warn({ digest }, `⚠️ Registration tx ${digest} of worker ${ctx.nodeId} is unknown to the node; it never reached the chain`);
  } else {
    ctx.log.warn({ digest }, `⚠️ Registration tx ${digest} of worker ${ctx.nodeId} failed on chain; nothing was staked`);
  }
  return record(ctx, { ...state, digest: null, registered: false, stakeProofId: null });
}

/** The registry holds the node id: ours to reuse only if this key registered it with this seal key. */
async function adopt(ctx: Context, worker: OnChainWorker, state: RegistrationState | null, recovered: boolean): Promise<WorkerRegistration> {
  if (normalizeSuiAddress(worker.owner) !== ctx.owner) throw nodeIdTakenError(ctx.nodeId, worker.owner, ctx.owner);
  if (!sameBytes(worker.sealPubkey, ctx.sealPubkey)) throw sealKeyMismatchError(ctx.nodeId, worker.sealPubkey, ctx.sealPubkey);
  const known = state?.registered ? state : null;
  if (!recovered) ctx.log.info(`♻️ Worker ${ctx.nodeId} already registered by this key; not staking again`);
  if (worker.status === 'slashed') ctx.log.warn(`⚠️ Worker ${ctx.nodeId} is slashed on chain; the master will refuse it`);
  const result: WorkerRegistration = {
    nodeId: ctx.nodeId,
    owner: ctx.owner,
    sealPubkey: ctx.sealPubkey,
    stakeMist: worker.stakeMist,
    digest: known?.digest ?? null,
    stakeProofId: known?.stakeProofId ?? null,
    outcome: recovered ? 'recovered' : 'reused',
  };
  if (!known) await recordQuietly(ctx, stateOf(ctx, result, true));
  return result;
}

async function checkBalance(ctx: Context): Promise<void> {
  const balance = await chainCall(() => ctx.chain.balance(ctx.owner));
  ctx.log.debug({ owner: ctx.owner, balanceMist: String(balance) }, `💰 ${ctx.owner} holds ${balance} MIST`);
  if (balance < ctx.stakeMist + GAS_BUDGET_ALLOWANCE_MIST) {
    throw insufficientBalanceError({ address: ctx.owner, nodeId: ctx.nodeId, balance, stake: ctx.stakeMist, gas: GAS_BUDGET_ALLOWANCE_MIST });
  }
}

async function stake(ctx: Context): Promise<WorkerRegistration> {
  ctx.log.info({ stakeMist: String(ctx.stakeMist), sealPubkey: sealPubkeyBase64(ctx.sealPubkey) }, `📝 Registering worker ${ctx.nodeId} with stake ${ctx.stakeMist} MIST`);
  const pending = stateOf(ctx, { digest: null, stakeProofId: null, stakeMist: ctx.stakeMist }, false);
  let sent = false;
  let registration;
  try {
    registration = await ctx.chain.registerWorker({
      signer: ctx.signer,
      nodeId: ctx.nodeId,
      sealPubkey: ctx.sealPubkey,
      stakeMist: ctx.stakeMist,
      beforeSend: async (digest) => {
        await record(ctx, { ...pending, digest });
        sent = true;
        ctx.log.debug({ digest }, `Recorded registration tx ${digest} before sending it`);
      },
    });
  } catch (err) {
    const error = decodeChainError(err);
    // Failed on chain (an abort, out of gas…): nothing was staked. Anything else: the outcome is unknown, so the digest stays.
    if (sent && (error.code === 'MOVE_ABORT' || error.code === 'TX_FAILED')) await recordQuietly(ctx, pending);
    if (error instanceof MoveAbortError && error.abortName === 'EWorkerAlreadyExists') {
      // Someone registered the id between our look and our transaction: tell who.
      const worker = await chainCall(() => ctx.chain.findRegistration(ctx.nodeId));
      if (worker) return adopt(ctx, worker, null, false);
    }
    throw error;
  }
  const result: WorkerRegistration = {
    nodeId: ctx.nodeId,
    owner: ctx.owner,
    sealPubkey: ctx.sealPubkey,
    stakeMist: ctx.stakeMist,
    digest: registration.digest,
    stakeProofId: registration.stakeProofId,
    outcome: 'registered',
  };
  await recordQuietly(ctx, stateOf(ctx, result, true));
  ctx.log.info(
    { digest: registration.digest, stakeProofId: registration.stakeProofId },
    `✅ Worker ${ctx.nodeId} registered (tx ${registration.digest}, StakeProof ${registration.stakeProofId})`,
  );
  return result;
}

function stateOf(ctx: Context, r: Pick<WorkerRegistration, 'digest' | 'stakeProofId' | 'stakeMist'>, registered: boolean): RegistrationState {
  return {
    version: 1,
    nodeId: ctx.nodeId,
    owner: ctx.owner,
    sealPubkey: sealPubkeyBase64(ctx.sealPubkey),
    stakeMist: String(r.stakeMist),
    digest: r.digest,
    registered,
    stakeProofId: r.stakeProofId,
    updatedAt: new Date((ctx.clock ?? systemClock).now()).toISOString(),
  };
}

async function record(ctx: Context, state: RegistrationState): Promise<RegistrationState> {
  const next = { ...state, updatedAt: new Date((ctx.clock ?? systemClock).now()).toISOString() };
  await writeRegistrationState(ctx.stateFile, next);
  return next;
}

// After the chain has spoken, a failed write loses nothing: the next start asks the chain again.
async function recordQuietly(ctx: Context, state: RegistrationState): Promise<void> {
  try {
    await record(ctx, state);
  } catch (err) {
    ctx.log.warn({ err, stateFile: ctx.stateFile }, `⚠️ Cannot update ${ctx.stateFile}; the chain still has the truth`);
  }
}

async function chainCall<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw decodeChainError(err);
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}
