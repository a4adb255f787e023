import Ajv, { ErrorObject } from 'ajv';
import addFormats from 'ajv-formats';
import schema from '../../drills/scenario.schema.json';
import { FieldError, ValidationFailed } from '../common/errors';

/** A drill scenario as drills/scenario.schema.json defines it. */
export interface Scenario {
  name: string;
  campaign: string;
  target: { accountId?: string; externalId?: string; tier?: 'standard' | 'privileged' | 'critical' };
  channel: 'phone' | 'chat' | 'walk_in' | 'email';
  reason: 'lost_device' | 'app_deleted' | 'new_phone' | 'codes_used_up' | 'exposure';
  pretext: string;
  claims?: {
    callerName?: string;
    callbackPhone?: string;
    callbackEmail?: string;
    newPhone?: boolean;
    urgency?: string;
    executiveName?: string;
    notes?: string;
  };
  answers?: {
    registered_channel_otp?: { says: string; excuse?: string };
    manager_attestation?: { manager: 'unavailable' | 'rejects'; excuse?: string };
    directory_facts?: { employeeNumber: string; costCentre: string };
    government_id?: { documentType?: string; last4?: string; excuse?: string };
    video_call?: { excuse?: string };
  };
  schedule?: { notBefore: string; notAfter: string };
}

/**
 * The same rules as an OpenAPI 3.0 Schema Object, for the body of POST /v1/drills: without the JSON Schema
 * document keywords `$schema` and `$id`, which a Schema Object may not hold (code generators refuse them).
 */
export const SCENARIO_BODY_SCHEMA: Record<string, unknown> = (({ $schema: _dialect, $id: _id, ...rules }) => rules)(schema);

const ajv = new Ajv({ allErrors: true, strict: true });
addFormats(ajv);
const validate = ajv.compile<Scenario>(schema);

/** A schema error's place in the scenario, as a JSON Pointer (exact) and a readable path (`answers.registered_channel_otp.says`, `x.items[0]`). */
export interface ScenarioFieldError extends FieldError {
  pointer: string;
}

const unescapePointer = (segment: string) => segment.replace(/~1/g, '/').replace(/~0/g, '~');
const escapePointer = (segment: string) => segment.replace(/~/g, '~0').replace(/\//g, '~1');

/** `/answers/registered_channel_otp/says` → `answers.registered_channel_otp.says`; array indexes read `[0]`. */
export function readablePath(pointer: string): string {
  const segments = pointer.split('/').slice(1).map(unescapePointer);
  return (
    segments.reduce((path, segment) => (/^(0|[1-9]\d*)$/.test(segment) ? `${path}[${segment}]` : path ? `${path}.${segment}` : segment), '') || '(scenario)'
  );
}

/** Where the error is: ajv reports a missing or unexpected property at its parent; we name the property itself. */
function pointerOf(error: ErrorObject): string {
  const params = error.params as { missingProperty?: string; additionalProperty?: string };
  const property = error.keyword === 'required' ? params.missingProperty : error.keyword === 'additionalProperties' ? params.additionalProperty : undefined;
  return property === undefined ? error.instancePath : `${error.instancePath}/${escapePointer(property)}`;
}

function messageOf(error: ErrorObject): string {
  if (error.keyword === 'additionalProperties') return 'is not an accepted field';
  if (error.keyword === 'required') return 'is required';
  if (error.keyword === 'enum') return `must be one of: ${(error.params as { allowedValues: unknown[] }).allowedValues.join(', ')}`;
  return error.message ?? 'is invalid';
}

/**
 * Validates against the JSON Schema; errors name the field, as every 400 here does:
 * `details.fields = [{ field, pointer, errors }]`, one entry per field.
 */
export function parseScenario(input: unknown): Scenario {
  if (validate(input)) {
    const scenario = input;
    if (scenario.schedule && Date.parse(scenario.schedule.notAfter) < Date.parse(scenario.schedule.notBefore)) {
      const notAfter: ScenarioFieldError = { field: 'schedule.notAfter', pointer: '/schedule/notAfter', errors: ['must not be before notBefore'] };
      throw new ValidationFailed([notAfter]);
    }
    return scenario;
  }
  const byPointer = new Map<string, string[]>();
  for (const error of validate.errors ?? []) {
    const pointer = pointerOf(error);
    byPointer.set(pointer, [...(byPointer.get(pointer) ?? []), messageOf(error)]);
  }
  const fields: ScenarioFieldError[] = [...byPointer].map(([pointer, errors]) => ({ field: readablePath(pointer), pointer, errors: [...new Set(errors)] }));
  throw new ValidationFailed(fields);
}
