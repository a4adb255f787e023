import SCIMMY from 'scimmy';
import { ScimInvalid, ScimType } from './scim-errors';
import { declareUserResource, lenientBoolean } from './scim-user';

type Json = Record<string, unknown>;
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const MAX_OPERATIONS = 100;
const SCIM_TYPES: ScimType[] = ['invalidFilter', 'tooMany', 'uniqueness', 'mutability', 'invalidSyntax', 'invalidPath', 'noTarget', 'invalidValue'];

/**
 * What Entra ID sends, made into what RFC 7644 says: `"active": "False"` as a string, a manager as a bare id string.
 * (Operation names in any case — "Replace" — scimmy already accepts.)
 */
function normaliseOperation(operation: unknown): unknown {
  if (!operation || typeof operation !== 'object' || Array.isArray(operation)) return operation;
  const op = { ...(operation as Json) };
  if (typeof op.op === 'string') op.op = op.op.toLowerCase();
  const path = typeof op.path === 'string' ? op.path.trim() : undefined;
  if (path !== undefined && /^active$/i.test(path)) op.value = lenientBoolean(op.value);
  if (path !== undefined && /(^|:)manager$/i.test(path) && typeof op.value === 'string') op.value = { value: op.value };
  if (path === undefined && op.value && typeof op.value === 'object' && !Array.isArray(op.value)) {
    const value = { ...(op.value as Json) };
    for (const key of Object.keys(value)) {
      if (/^active$/i.test(key)) value[key] = lenientBoolean(value[key]);
      if (/(^|:)manager$/i.test(key) && typeof value[key] === 'string') value[key] = { value: value[key] };
    }
    op.value = value;
  }
  return op;
}

/** Applies a PatchOp message (RFC 7644 §3.5.2) to a User representation; scimmy parses the paths and filters. */
export async function applyPatch(current: Json, body: unknown): Promise<Json> {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw new ScimInvalid('invalidSyntax', 'body', 'must be a PatchOp message');
  const message = body as Json;
  if (!Array.isArray(message.Operations) || message.Operations.length === 0) throw new ScimInvalid('invalidSyntax', 'Operations', 'must be a non-empty array');
  if (message.Operations.length > MAX_OPERATIONS) throw new ScimInvalid('tooMany', 'Operations', `must hold at most ${MAX_OPERATIONS} operations`);
  declareUserResource();
  const normalised = { schemas: Array.isArray(message.schemas) ? message.schemas : [PATCH_OP], Operations: message.Operations.map(normaliseOperation) };
  try {
    const patch = new SCIMMY.Messages.PatchOp(normalised as ConstructorParameters<typeof SCIMMY.Messages.PatchOp>[0]);
    const result = (await patch.apply(new SCIMMY.Schemas.User(current, 'out'), async (value) => value as unknown as Record<string, unknown>)) as unknown;
    return result ? (JSON.parse(JSON.stringify(result)) as Json) : current;
  } catch (error) {
    if (error instanceof ScimInvalid) throw error;
    const scimError = error as { scimType?: string; message?: string };
    const scimType = SCIM_TYPES.find((t) => t === scimError.scimType) ?? 'invalidValue';
    throw new ScimInvalid(scimType, 'Operations', scimError.message ?? 'cannot be applied');
  }
}
