/**
 * Agent ⇄ master protocol, version 1 (DESIGN.md "Agent ↔ master protocol, version 1"): one zod
 * schema per message, the two direction unions, and parsers that never throw. Both programs import
 * this file, so a field renamed here is renamed on both ends at once.
 */
import { z } from 'zod';

export const PROTOCOL_VERSION = 1;
/** Largest text frame either side accepts, in UTF-8 bytes (64 KiB). */
export const MAX_FRAME_BYTES = 65536;
/** WebSocket close codes of protocol v1. */
export const CLOSE_CODES = {
  malformed: 4400,
  authFailed: 4401,
  revoked: 4403,
  authTimeout: 4408,
  replaced: 4409,
} as const;

/** Kubernetes node name: 1–63 chars of [a-z0-9-], starting and ending alphanumeric. */
export const NodeIdSchema = z
  .string()
  .regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, 'must be a Kubernetes node name (1-63 chars of a-z, 0-9, -)');

// Standard base64 of exactly 32 bytes: 43 symbols and one '=' of padding.
const Nonce = z.string().regex(/^[A-Za-z0-9+/]{43}=$/, 'must be base64 of 32 bytes');
const Base64 = z
  .string()
  .min(1)
  .max(1024)
  .regex(/^[A-Za-z0-9+/]+={0,2}$/, 'must be base64');
// A Sui transaction digest: base58 of 32 bytes.
const TxDigest = z.string().regex(/^[1-9A-HJ-NP-Za-km-z]{32,44}$/, 'must be a base58 transaction digest');
const Text = (max: number) => z.string().max(max);
const Count = z.number().int().nonnegative();
const Ms = z.number().int().nonnegative();

export const ChallengeSchema = z.object({
  type: z.literal('challenge'),
  v: z.literal(PROTOCOL_VERSION),
  nonce: Nonce,
  masterId: Text(128).min(1),
});

export const AuthSchema = z.object({
  type: z.literal('auth'),
  nodeId: NodeIdSchema,
  /** Sui personal-message signature (base64 flag ‖ sig ‖ pubkey) over `authMessage(...)`. */
  signature: Base64,
  registrationDigest: TxDigest.optional(),
  agentVersion: Text(64).min(1),
});

export const PendingSchema = z.object({
  type: z.literal('pending'),
  reason: z.enum(['awaiting-registration']),
});

export const WelcomeSchema = z.object({
  type: z.literal('welcome'),
  nodeId: NodeIdSchema,
  joinToken: Text(4096).min(1),
  serverUrl: z.url({ protocol: /^https$/ }),
  heartbeatIntervalMs: z.number().int().positive(),
  offlineAfterMs: z.number().int().positive(),
  labels: z.record(Text(317), Text(256)),
});

// Metrics come from whatever the agent's host can tell: every field may be missing or null, so a
// container without /proc/loadavg or a host without a GPU still sends a valid heartbeat. Only a
// wrongly *typed* value (a string where a number belongs) makes the frame malformed.
const num = z.number().nonnegative().nullish();
const str = (max = 256) => Text(max).nullish();

export const MetricsSchema = z.object({
  cpu: z.object({ cores: z.number().int().nonnegative().nullish(), model: str(), loadPercent: num }).nullish(),
  memory: z.object({ totalBytes: num, usedBytes: num }).nullish(),
  /** The root filesystem. */
  disk: z.object({ totalBytes: num, usedBytes: num }).nullish(),
  network: z.object({ rxBytesPerSec: num, txBytesPerSec: num }).nullish(),
  uptimeSec: num,
  os: z.object({ platform: str(64), distro: str(), release: str(), arch: str(64), hostname: str(253) }).nullish(),
  gpus: z
    .array(z.object({ model: str(), vendor: str(), vramMb: num }))
    .max(64)
    .nullish(),
});

export const K3sStatusSchema = z.object({
  state: z.enum(['starting', 'running', 'crashed', 'stopped']),
  pid: z.number().int().positive().nullable().default(null),
  restarts: Count,
  lastError: Text(4096).nullable().default(null),
});

export const HeartbeatSchema = z.object({
  type: z.literal('heartbeat'),
  seq: Count,
  sentAt: Ms,
  metrics: MetricsSchema,
  k3s: K3sStatusSchema,
});

export const AckSchema = z.object({ type: z.literal('ack'), seq: Count });

export const RevokeSchema = z.object({
  type: z.literal('revoke'),
  reason: z.enum(['slashed', 'deregistered', 'replaced']),
});

// Objects are not `.strict()`: unknown fields are dropped, so either side may add an optional field
// within v1 without breaking the other. Unknown message *types* are refused (see parseFrame).

/** Frames the agent sends. */
export const AgentMessageSchema = z.discriminatedUnion('type', [AuthSchema, HeartbeatSchema]);
/** Frames the master sends. */
export const MasterMessageSchema = z.discriminatedUnion('type', [
  ChallengeSchema,
  PendingSchema,
  WelcomeSchema,
  AckSchema,
  RevokeSchema,
]);

export type Challenge = z.infer<typeof ChallengeSchema>;
export type Auth = z.infer<typeof AuthSchema>;
export type Pending = z.infer<typeof PendingSchema>;
export type Welcome = z.infer<typeof WelcomeSchema>;
export type Metrics = z.infer<typeof MetricsSchema>;
export type K3sStatus = z.infer<typeof K3sStatusSchema>;
export type K3sState = K3sStatus['state'];
export type Heartbeat = z.infer<typeof HeartbeatSchema>;
export type Ack = z.infer<typeof AckSchema>;
export type Revoke = z.infer<typeof RevokeSchema>;
export type RevokeReason = Revoke['reason'];
export type AgentMessage = z.infer<typeof AgentMessageSchema>;
export type MasterMessage = z.infer<typeof MasterMessageSchema>;

/** The outcome of parsing one frame: the message, or a one-line reason fit for a log and a close frame. */
export type ParseResult<T> = { ok: true; msg: T } | { ok: false; reason: string };

/** The exact text the seal key signs to answer a challenge. */
export function authMessage(masterId: string, nodeId: string, nonce: string): string {
  return `k8s-daas/auth/v1\n${masterId}\n${nodeId}\n${nonce}`;
}

/**
 * A validator that checks a decoded frame of one message type where it lies, without building a
 * copy. It may return true only when the type's schema accepts `data` and its output equals `data`
 * as the check left it (unknown fields dropped, defaults filled in); on false the schema decides.
 */
export type InPlaceCheck = (type: string, data: object) => boolean;

/**
 * Parses a frame received by the master. Never throws. `inPlace` is the master's fast path for the
 * one frame on every socket's hot path (the heartbeat): the schema's parse copies every object of
 * the frame, and at thousands of heartbeats per second those copies are most of the master's garbage.
 */
export function parseAgentFrame(frame: string | Uint8Array, inPlace?: InPlaceCheck): ParseResult<AgentMessage> {
  return parseFrame(frame, AgentMessageSchema, AGENT_TYPES, inPlace);
}

/** Parses a frame received by the agent. Never throws. */
export function parseMasterFrame(frame: string | Uint8Array): ParseResult<MasterMessage> {
  return parseFrame(frame, MasterMessageSchema, MASTER_TYPES);
}

const AGENT_TYPES: ReadonlySet<string> = new Set(['auth', 'heartbeat']);
const MASTER_TYPES: ReadonlySet<string> = new Set(['challenge', 'pending', 'welcome', 'ack', 'revoke']);
const utf8 = new TextDecoder('utf-8', { fatal: true });

function parseFrame<T>(frame: string | Uint8Array, schema: z.ZodType<T>, types: ReadonlySet<string>, inPlace?: InPlaceCheck): ParseResult<T> {
  try {
    const size = typeof frame === 'string' ? Buffer.byteLength(frame, 'utf8') : frame.byteLength;
    if (size > MAX_FRAME_BYTES) return fail(`frame too large (${size} bytes > ${MAX_FRAME_BYTES})`);
    const text = typeof frame === 'string' ? frame : utf8.decode(frame);
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch {
      return fail('frame is not JSON');
    }
    if (typeof data !== 'object' || data === null || Array.isArray(data)) return fail('frame is not a JSON object');
    const type = (data as { type?: unknown }).type;
    if (typeof type !== 'string') return fail('frame has no "type"');
    // Checked before the schema so the reason names the type instead of a union error.
    if (!types.has(type)) return fail(`unknown message type "${type.slice(0, 40)}"`);
    if (inPlace?.(type, data)) return { ok: true, msg: data as T };
    const parsed = schema.safeParse(data);
    if (parsed.success) return { ok: true, msg: parsed.data };
    return fail(`invalid ${type}: ${describeIssue(parsed.error.issues[0])}`);
  } catch (err) {
    // Only invalid UTF-8 in a binary frame can land here; the promise is "never throws".
    return fail(`unreadable frame (${err instanceof Error ? err.message : String(err)})`);
  }
}

function describeIssue(issue: z.core.$ZodIssue | undefined): string {
  if (!issue) return 'does not match the schema';
  const path = issue.path.length > 0 ? issue.path.join('.') : '(frame)';
  return `${path}: ${issue.message}`;
}

function fail(reason: string): { ok: false; reason: string } {
  return { ok: false, reason };
}
