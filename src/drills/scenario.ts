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

const ajv = new Ajv({ allErrors: true, strict: true });
addFormats(ajv);
const validate = ajv.compile<Scenario>(schema);

function fieldOf(error: ErrorObject): string {
  const path = error.instancePath.replace(/^\//, '').replace(/\//g, '.');
  const missing = error.keyword === 'required' ? (error.params as { missingProperty: string }).missingProperty : undefined;
  const extra = error.keyword === 'additionalProperties' ? (error.params as { additionalProperty: string }).additionalProperty : undefined;
  return [path, missing ?? extra].filter(Boolean).join('.') || '(scenario)';
}

/** Validates against the JSON Schema; errors name the field, as every 400 here does. */
export function parseScenario(input: unknown): Scenario {
  if (validate(input)) {
    const scenario = input;
    if (scenario.schedule && Date.parse(scenario.schedule.notAfter) < Date.parse(scenario.schedule.notBefore)) {
      throw new ValidationFailed([{ field: 'schedule.notAfter', errors: ['must not be before notBefore'] }]);
    }
    return scenario;
  }
  const byField = new Map<string, string[]>();
  for (const error of validate.errors ?? []) {
    const field = fieldOf(error);
    const message = error.keyword === 'additionalProperties' ? 'is not an accepted field' : error.keyword === 'required' ? 'is required' : (error.message ?? 'is invalid');
    byField.set(field, [...(byField.get(field) ?? []), message]);
  }
  const fields: FieldError[] = [...byField].map(([field, errors]) => ({ field, errors: [...new Set(errors)] }));
  throw new ValidationFailed(fields);
}
