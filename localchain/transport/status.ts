/**
 * gRPC status codes and the one error type handlers throw to answer with a non-OK status. The
 * router turns a GrpcError into a trailer-only reply; anything else becomes INTERNAL.
 */
import { GrpcStatusCode } from '@mysten/sui/grpc';

export { GrpcStatusCode };

/** A failure a handler reports to the client as `grpc-status`/`grpc-message`. */
export class GrpcError extends Error {
  constructor(
    readonly code: GrpcStatusCode,
    message: string,
  ) {
    super(message);
    this.name = 'GrpcError';
  }
}

export const invalidArgument = (message: string) => new GrpcError(GrpcStatusCode.INVALID_ARGUMENT, message);
export const notFound = (message: string) => new GrpcError(GrpcStatusCode.NOT_FOUND, message);
export const unimplemented = (message: string) => new GrpcError(GrpcStatusCode.UNIMPLEMENTED, message);
export const resourceExhausted = (message: string) => new GrpcError(GrpcStatusCode.RESOURCE_EXHAUSTED, message);
