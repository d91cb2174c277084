/**
 * The heartbeat's in-place check (see `InPlaceCheck`): the zod schema stays the one definition of a
 * heartbeat; its JSON Schema is compiled once by Ajv into a function that validates the parsed
 * frame where it lies. Ajv is configured to end where zod's parse ends: unknown fields removed,
 * `.default(null)` fields filled in, Infinity (JSON's 1e400) refused; both count string limits in
 * code points. A frame the check refuses goes to zod, which gives the reason.
 * heartbeat-check.test.ts holds the two to the same verdicts and the same output.
 */
import { Ajv } from 'ajv';
import { z } from 'zod';
import { HeartbeatSchema, type InPlaceCheck } from '../../shared/protocol/messages.ts';

const ajv = new Ajv({
  removeAdditional: 'all',
  useDefaults: true,
  strictNumbers: true,
  allErrors: false,
  strict: false,
  logger: false,
});

const checkHeartbeat = ajv.compile(z.toJSONSchema(HeartbeatSchema, { io: 'input', target: 'draft-07' }));

/** Checks heartbeats in place; every other type is left to the schema. */
export const heartbeatInPlace: InPlaceCheck = (type, data) => type === 'heartbeat' && checkHeartbeat(data);
