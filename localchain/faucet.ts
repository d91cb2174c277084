/**
 * The faucet's `POST /v2/gas`: a real transaction from the faucet account (split its coin,
 * transfer the part), so the grant has a digest, events of its own and balance changes like any
 * other. Requests are served one at a time because each spends the faucet's single gas coin.
 */
import type { Logger } from 'pino';
import { fromBase64 } from '@mysten/bcs';
import { Ed25519Keypair } from '@mysten/sui/keypairs/ed25519';
import { Transaction } from '@mysten/sui/transactions';
import { parseAddress, SUI_COIN_TYPE } from './chain/ids.ts';
import { REFERENCE_GAS_PRICE } from './chain/ledger.ts';
import { coinBalance } from './chain/objects.ts';
import type { StoredObject } from './chain/types.ts';
import { PrecheckError } from './exec/errors.ts';
import type { LocalNode } from './node.ts';
import type { FaucetHandler } from './transport/http-server.ts';

/** Covers a split + transfer with room to spare (the charge is about 0.0024 SUI). */
const FAUCET_BUDGET = 10_000_000n;

function failure(status: number, internal: string) {
  return { status, json: { status: { Failure: { internal } }, coins_sent: null } };
}

function recipientOf(body: unknown): string | null {
  const request = (body as { FixedAmountRequest?: { recipient?: unknown } } | null)?.FixedAmountRequest;
  return typeof request?.recipient === 'string' ? parseAddress(request.recipient) : null;
}

export function createFaucet(opts: { node: LocalNode; amountMist: bigint; logger: Logger }): FaucetHandler {
  const { node, amountMist, logger } = opts;
  const keypair = Ed25519Keypair.fromSecretKey(node.ledger.data.faucetPrivateKey);
  const faucetAddress = keypair.toSuiAddress();
  let queue: Promise<unknown> = Promise.resolve();

  async function grant(recipient: string) {
    const coin = node.ledger.suiCoinsOf(faucetAddress).reduce<StoredObject | undefined>((best, c) => (!best || coinBalance(c) > coinBalance(best) ? c : best), undefined);
    if (!coin || coinBalance(coin) < amountMist + FAUCET_BUDGET) return failure(500, 'the faucet is out of SUI');
    const tx = new Transaction();
    tx.setSender(faucetAddress);
    tx.setGasPayment([{ objectId: coin.id, version: coin.version.toString(), digest: coin.digest }]);
    tx.setGasPrice(REFERENCE_GAS_PRICE);
    tx.setGasBudget(FAUCET_BUDGET);
    const [part] = tx.splitCoins(tx.gas, [tx.pure.u64(amountMist)]);
    tx.transferObjects([part], tx.pure.address(recipient));
    const bytes = await tx.build();
    const { signature } = await keypair.signTransaction(bytes);
    const record = await node.execute(bytes, [fromBase64(signature)]);
    if (!record.effects.status.success) return failure(500, `faucet transaction failed: ${record.effects.status.error.description}`);
    const sent = record.effects.changedObjects.find(
      (c) => c.idOperation === 'created' && c.objectType === SUI_COIN_TYPE && c.output?.owner.kind === 'address' && c.output.owner.address === recipient,
    );
    logger.debug({ recipient, amountMist: amountMist.toString(), digest: record.digest }, 'faucet grant');
    return { status: 200, json: { status: 'Success', coins_sent: [{ amount: Number(amountMist), id: sent!.objectId, transferTxDigest: record.digest }] } };
  }

  return (body) => {
    const recipient = recipientOf(body);
    if (!recipient) return Promise.resolve(failure(400, 'Invalid request: expected {"FixedAmountRequest":{"recipient":"0x…"}} with a valid Sui address'));
    const run = queue.then(() => grant(recipient)).catch((err: unknown) => {
      if (!(err instanceof PrecheckError)) logger.error({ err }, 'faucet grant failed');
      return failure(500, (err as Error).message);
    });
    queue = run;
    return run;
  };
}
