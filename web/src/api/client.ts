import createClient, { type Middleware } from 'openapi-fetch';
import type { components, paths } from './schema';
import { csrfStore, tokenStore } from '../session/token-store';

/** Response and request bodies, exactly as the service's OpenAPI document names them. */
export type Schemas = components['schemas'];

/** An API refusal in the service's error shape: `{ statusCode, error, code, message, details? }`. Behaviour keys on `code`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    /** The service's stable machine-readable reason (`unauthenticated`, `gone` …); `unreachable` when there was no answer. */
    readonly code: string,
    message: string,
    readonly details?: unknown,
    readonly body?: Record<string, unknown>,
  ) {
    super(message);
  }

  /** Field-level messages, when the service named the fields (400 validation errors). */
  get fieldMessages(): Record<string, string> {
    const fields = (this.details as { fields?: { field: string; errors: string[] }[] } | undefined)?.fields;
    return Object.fromEntries((Array.isArray(fields) ? fields : []).map((f) => [f.field, f.errors.join('; ')]));
  }
}

/** Called once when the service says the token is no longer good (expired, revoked, deactivated). */
let onUnauthenticated: (message: string) => void = () => undefined;
export function whenUnauthenticated(handler: (message: string) => void): void {
  onUnauthenticated = handler;
}

/** Called when an act needs a fresh, strong sign-in: `signInUrl` starts one at the identity provider. */
let onStepUpRequired: (signInUrl: string) => void = () => undefined;
export function whenStepUpRequired(handler: (signInUrl: string) => void): void {
  onStepUpRequired = handler;
}

const auth: Middleware = {
  onRequest({ request }) {
    const token = tokenStore.get();
    if (token && !request.headers.has('Authorization')) request.headers.set('Authorization', `Bearer ${token}`);
    // A session cookie goes with every request by itself; a state-changing one also proves it came from this page.
    const csrf = csrfStore.get();
    if (!token && csrf && !['GET', 'HEAD'].includes(request.method)) request.headers.set('X-CSRF-Token', csrf);
    return request;
  },
};

/** The one client every screen uses: same origin, typed by the generated schema. */
export const api = createClient<paths>({ baseUrl: '' });
api.use(auth);

interface FetchResult<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/** Unwraps a call: the body on success, an ApiError (with the server's message) otherwise. */
export async function unwrap<T>(call: Promise<FetchResult<T>>): Promise<T> {
  let result: FetchResult<T>;
  try {
    result = await call;
  } catch {
    throw new ApiError(0, 'unreachable', 'The service could not be reached. Check your connection and try again.');
  }
  const { data, error, response } = result;
  if (response.ok) return data as T;
  const body = (error ?? {}) as { code?: unknown; message?: unknown; details?: unknown };
  const message = typeof body.message === 'string' ? body.message : `The service answered ${response.status} ${response.statusText}`;
  const code = typeof body.code === 'string' ? body.code : 'unknown';
  if (code === 'unauthenticated' && (tokenStore.get() || csrfStore.get())) onUnauthenticated(message);
  const details = body.details as { signInUrl?: unknown } | undefined;
  if (code === 'step_up_required' && typeof details?.signInUrl === 'string' && csrfStore.get()) onStepUpRequired(details.signInUrl);
  throw new ApiError(response.status, code, message, body.details, body as Record<string, unknown>);
}
