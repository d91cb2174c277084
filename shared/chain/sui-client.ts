/**
 * Builds the SDK client for a configured endpoint. Everything above this file uses only the
 * transport-neutral core API (`client.core.*`), so gRPC and GraphQL are interchangeable.
 */
import type { ClientWithCoreApi } from '@mysten/sui/client';
import { SuiGrpcClient } from '@mysten/sui/grpc';
import { SuiGraphQLClient } from '@mysten/sui/graphql';

export type SuiTransport = 'grpc' | 'graphql';

export interface SuiClientOptions {
  /** gRPC-web base URL of a full node, or the GraphQL endpoint. */
  url: string;
  transport?: SuiTransport;
  /** Network name for the SDK's defaults; the URL is what counts. */
  network?: 'mainnet' | 'testnet' | 'devnet' | 'localnet';
}

/** A core-API client for `url` over the chosen transport (gRPC by default). */
export function createSuiClient(options: SuiClientOptions): ClientWithCoreApi {
  const network = options.network ?? networkOf(options.url);
  if (options.transport === 'graphql') {
    return new SuiGraphQLClient({ url: options.url, network });
  }
  return new SuiGrpcClient({ baseUrl: options.url, network });
}

/** The SDK's network name for an endpoint (its defaults only; the URL is what counts). */
export function networkOf(url: string): 'mainnet' | 'testnet' | 'devnet' | 'localnet' {
  if (url.includes('mainnet')) return 'mainnet';
  if (url.includes('testnet')) return 'testnet';
  if (url.includes('devnet')) return 'devnet';
  return 'localnet';
}
