/**
 * Dispatches `POST /<package>.<Service>/<Method>` to handlers, decoding the request and encoding
 * the reply with the method's own protobuf types, taken from the service descriptors that
 * @mysten/sui exports (`GrpcTypes.LedgerService.methods`, …). A path no handler serves is
 * UNIMPLEMENTED (12), as a real node answers for a service it does not run; request bytes that
 * do not decode as the method's input type are INVALID_ARGUMENT (3).
 */
import { GrpcError, GrpcStatusCode, invalidArgument, unimplemented } from './status.ts';

/** The part of a protobuf-ts MessageType the router needs. */
export interface MessageCodec {
  readonly typeName: string;
  fromBinary(data: Uint8Array): object;
  toBinary(message: never): Uint8Array;
}

export interface MethodDescriptor {
  readonly name: string;
  readonly serverStreaming?: boolean;
  readonly I: MessageCodec;
  readonly O: MessageCodec;
}

export interface ServiceDescriptor {
  readonly typeName: string;
  readonly methods: readonly MethodDescriptor[];
}

/** A unary handler returns one message; a server-streaming one returns every frame at once. */
export type Handler = (request: never) => Promise<object | object[]> | object | object[];

interface Route {
  method: MethodDescriptor;
  handler: Handler;
}

export class GrpcRouter {
  readonly #routes = new Map<string, Route>();

  /**
   * Serves `methodName` of `service`. Throws at registration (a programming error) when the
   * service has no such method, so a typo never turns into a silent UNIMPLEMENTED.
   */
  handle<I>(service: ServiceDescriptor, methodName: string, handler: (request: I) => Promise<object | object[]> | object | object[]): void {
    const method = service.methods.find((m) => m.name === methodName);
    if (!method) throw new Error(`${service.typeName} has no method ${methodName}`);
    this.#routes.set(`/${service.typeName}/${methodName}`, { method, handler: handler as Handler });
  }

  /** True when some handler serves this path. */
  has(path: string): boolean {
    return this.#routes.has(path);
  }

  /** Runs the call; resolves to the encoded reply messages; throws GrpcError. */
  async dispatch(path: string, payload: Uint8Array): Promise<Uint8Array[]> {
    const route = this.#routes.get(path);
    if (!route) throw unimplemented(`method ${path.replace(/^\//, '')} is not implemented by k8s-daas-localchain`);
    let request: object;
    try {
      request = route.method.I.fromBinary(payload);
    } catch (err) {
      throw invalidArgument(`malformed ${route.method.I.typeName}: ${(err as Error).message}`);
    }
    const result = await route.handler(request as never);
    const messages = Array.isArray(result) ? result : [result];
    if (!route.method.serverStreaming && messages.length !== 1) {
      throw new GrpcError(GrpcStatusCode.INTERNAL, `unary handler for ${path} returned ${messages.length} messages`);
    }
    return messages.map((m) => route.method.O.toBinary(m as never));
  }
}
