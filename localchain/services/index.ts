/** The gRPC surface of the local chain: every implemented method registered on one router. */
import type { LocalNode } from '../node.ts';
import { GrpcRouter } from '../transport/router.ts';
import { registerExecutionService } from './execution-service.ts';
import { registerLedgerService } from './ledger-service.ts';
import { registerQueryService } from './query-service.ts';
import { registerStateService } from './state-service.ts';

export function buildRouter(node: LocalNode): GrpcRouter {
  const router = new GrpcRouter();
  registerLedgerService(router, node.ledger);
  registerQueryService(router, node.ledger);
  registerStateService(router, node.ledger);
  registerExecutionService(router, node);
  return router;
}
