/**
 * sui.rpc.v2.TransactionExecutionService: SimulateTransaction (resolve, select gas, dry-run;
 * what `Transaction.build` calls) and ExecuteTransaction (verify, execute, commit). A
 * transaction a real node would refuse before execution is INVALID_ARGUMENT; one that fails in
 * execution is a reply whose effects carry the failure.
 */
import { GrpcTypes } from '@mysten/sui/grpc';
import { PrecheckError } from '../exec/errors.ts';
import { argToProto, txFromBcs, txToBcs, txToProto } from '../exec/tx-data.ts';
import type { LocalNode } from '../node.ts';
import { REFERENCE_GAS_PRICE } from '../chain/ledger.ts';
import { applyReadMask } from '../render/read-mask.ts';
import { executedTransaction } from '../render/proto.ts';
import type { GrpcRouter } from '../transport/router.ts';
import { invalidArgument } from '../transport/status.ts';
import { resolveDraft } from '../exec/resolve.ts';

const T = GrpcTypes;

/** Runs `fn`, reporting a PrecheckError as INVALID_ARGUMENT like a real node's input checks. */
async function checked<R>(fn: () => R | Promise<R>): Promise<R> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof PrecheckError) throw invalidArgument(err.message);
    throw err;
  }
}

/** TransactionData BCS from a request: the `bcs` the SDK sends, or a fully resolved message. */
function transactionBytes(node: LocalNode, tx: GrpcTypes.Transaction | undefined): Uint8Array {
  if (tx?.bcs?.value && tx.bcs.value.length > 0) return tx.bcs.value;
  if (!tx?.kind) throw new PrecheckError('missing transaction');
  const draft = resolveDraft(node.ledger, tx);
  const { price, budget, objects, owner } = draft.gas;
  if (price === undefined || budget === undefined || objects.length === 0) {
    throw new PrecheckError('transaction is incomplete: gas payment, price and budget are required to execute');
  }
  return txToBcs({ sender: draft.sender, inputs: draft.inputs, commands: draft.commands, expiration: draft.expiration, gas: { payment: objects, owner, price, budget } });
}

/** A signature's serialized bytes (flag ‖ signature ‖ public key). */
function signatureBytes(sig: GrpcTypes.UserSignature): Uint8Array {
  if (sig.bcs?.value && sig.bcs.value.length > 0) return sig.bcs.value;
  if (sig.signature.oneofKind === 'simple') {
    const s = sig.signature.simple;
    if (s.scheme !== undefined && s.signature && s.publicKey) return new Uint8Array([s.scheme, ...s.signature, ...s.publicKey]);
  }
  throw new PrecheckError('signature must be sent as bcs (flag || signature || public key)');
}

export function registerExecutionService(router: GrpcRouter, node: LocalNode): void {
  const S = T.TransactionExecutionService;

  router.handle(S, 'SimulateTransaction', (req: GrpcTypes.SimulateTransactionRequest) =>
    checked(() => {
      if (!req.transaction) throw new PrecheckError('missing transaction');
      const message = req.transaction.bcs?.value?.length ? txToProto(txFromBcs(req.transaction.bcs.value)) : req.transaction;
      const checks = req.checks !== T.SimulateTransactionRequest_TransactionChecks.DISABLED;
      const sim = node.simulate(message, { doGasSelection: req.doGasSelection ?? false, checks });
      const response = T.SimulateTransactionResponse.create({
        transaction: executedTransaction(sim.run.commit.record, { committed: false }),
        commandOutputs: sim.run.outputs.map((o) => ({
          returnValues: o.returnValues.map((value) => ({ value: { value } })),
          mutatedByRef: o.mutatedByRef.map((m) => ({ argument: argToProto(m.arg), value: { value: m.bytes } })),
        })),
        suggestedGasPrice: REFERENCE_GAS_PRICE,
      });
      return T.SimulateTransactionResponse.create(applyReadMask(response, req.readMask?.paths, ['transaction.digest', 'transaction.effects', 'transaction.events', 'command_outputs']));
    }),
  );

  router.handle(S, 'ExecuteTransaction', (req: GrpcTypes.ExecuteTransactionRequest) =>
    checked(async () => {
      const bytes = transactionBytes(node, req.transaction);
      if (req.signatures.length === 0) throw new PrecheckError('the transaction carries no signatures');
      const record = await node.execute(bytes, req.signatures.map(signatureBytes));
      const executed = executedTransaction(record, { committed: true });
      return T.ExecuteTransactionResponse.create({ transaction: T.ExecutedTransaction.create(applyReadMask(executed, req.readMask?.paths, ['effects.status', 'checkpoint'])) });
    }),
  );
}
