import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { BaseClient, errors, generators, IdTokenClaims, Issuer, TokenSet } from 'openid-client';
import { constantTimeEqual } from '../../common/crypto';
import { Unauthenticated } from '../../common/errors';
import type { Env } from '../../config/env.validation';

/** What a sign-in under way keeps between the redirect out and the callback (single use). */
export interface SignInChecks {
  state: string;
  nonce: string;
  codeVerifier: string;
  stepUp: boolean;
}

/** The provider refused, or its answer did not validate: the reason is safe to show (no token in it). */
export class SignInRefused extends Unauthenticated {}

/** openid-client's ID-token validation, which its 5.x typings leave out (lib/client.js, used by its own callback()). */
interface ValidatingClient {
  validateIdToken(tokenSet: TokenSet, nonce: string, returnedBy: 'token', maxAge?: number): Promise<TokenSet>;
}

const UNKNOWN_KEY = /no valid key found in issuer's jwks_uri/;

/**
 * The OpenID Connect relying party, on openid-client 5 (certified; its 6.x is ESM-only).
 * Discovery is fetched on first use and kept; a failed discovery is retried on the next
 * sign-in. openid-client keeps the provider's JWKS and refetches it on an unknown `kid`
 * at most once a minute; a key rotated inside that minute is handled here by one forced
 * refetch and a second validation of the same ID token.
 */
@Injectable()
export class OidcClient {
  private client?: Promise<BaseClient>;

  constructor(private readonly config: ConfigService<Env, true>) {}

  get enabled(): boolean {
    return Boolean(this.config.get('OIDC_ISSUER', { infer: true }));
  }

  get providerName(): string {
    const issuer = this.config.get('OIDC_ISSUER', { infer: true }) ?? '';
    return this.config.get('OIDC_PROVIDER_NAME', { infer: true }) ?? (URL.canParse(issuer) ? new URL(issuer).hostname : issuer);
  }

  private get redirectUrl(): string {
    return this.config.get('OIDC_REDIRECT_URL', { infer: true })!;
  }

  private discover(): Promise<BaseClient> {
    this.client ??= Issuer.discover(this.config.get('OIDC_ISSUER', { infer: true })!).then(
      (issuer) =>
        new issuer.Client({
          client_id: this.config.get('OIDC_CLIENT_ID', { infer: true })!,
          client_secret: this.config.get('OIDC_CLIENT_SECRET', { infer: true })!,
          redirect_uris: [this.redirectUrl],
          post_logout_redirect_uris: [`${new URL(this.redirectUrl).origin}/`],
          response_types: ['code'],
          id_token_signed_response_alg: 'RS256',
        }),
      (error: unknown) => {
        this.client = undefined;
        throw new SignInRefused(`the identity provider could not be reached (${(error as Error).message})`);
      },
    );
    return this.client;
  }

  /** Where to send the browser, and the checks to keep for its return. A step-up forces a new, strong sign-in. */
  async authorizationUrl(stepUp: boolean): Promise<{ url: string; checks: SignInChecks }> {
    const client = await this.discover();
    const checks = { state: generators.state(), nonce: generators.nonce(), codeVerifier: generators.codeVerifier(), stepUp };
    const acr = this.config.get('STEP_UP_ACR', { infer: true });
    const url = client.authorizationUrl({
      scope: this.config.get('OIDC_SCOPES', { infer: true }),
      state: checks.state,
      nonce: checks.nonce,
      code_challenge: generators.codeChallenge(checks.codeVerifier),
      code_challenge_method: 'S256',
      ...(stepUp && {
        prompt: 'login',
        max_age: this.config.get('STEP_UP_MAX_AGE_SECONDS', { infer: true }),
        ...(acr && { acr_values: acr.split(',').join(' ') }),
      }),
    });
    return { url, checks };
  }

  /**
   * The provider's answer to one sign-in: state, code exchange (PKCE), then the ID token's
   * signature, iss, aud, exp/iat/nbf, nonce and auth_time, all by openid-client.
   */
  async callback(query: Record<string, unknown>, checks: SignInChecks): Promise<IdTokenClaims> {
    const client = await this.discover();
    const params = client.callbackParams(`/?${new URLSearchParams(query as Record<string, string>).toString()}`);
    // What openid-client's callback() checks before the exchange; done here so the ID token
    // is in hand when its key turns out to be newer than the cached JWKS (see validate).
    if (typeof params.state !== 'string' || !constantTimeEqual(params.state, checks.state)) {
      throw new SignInRefused('the sign-in response does not belong to this browser (state mismatch); start again');
    }
    if (params.iss !== undefined && params.iss !== client.issuer.metadata.issuer) throw new SignInRefused('the sign-in response names another issuer');
    if (params.error) throw new SignInRefused(`the identity provider refused: ${params.error_description ?? params.error}`);
    if (!params.code) throw new SignInRefused('the sign-in response carries no authorization code');
    try {
      const tokens = await client.grant({
        grant_type: 'authorization_code',
        code: params.code,
        redirect_uri: this.redirectUrl,
        code_verifier: checks.codeVerifier,
      });
      return (await this.validate(client, tokens, checks)).claims();
    } catch (error) {
      if (error instanceof errors.OPError || error instanceof errors.RPError)
        throw new SignInRefused(`the identity provider's answer was refused: ${error.message}`);
      throw error;
    }
  }

  private async validate(client: BaseClient, tokens: TokenSet, checks: SignInChecks): Promise<TokenSet> {
    if (!tokens.id_token) throw new SignInRefused('the identity provider returned no ID token');
    const maxAge = checks.stepUp ? this.config.get('STEP_UP_MAX_AGE_SECONDS', { infer: true }) : undefined;
    const validating = client as unknown as ValidatingClient;
    try {
      return await validating.validateIdToken(tokens, checks.nonce, 'token', maxAge);
    } catch (error) {
      if (!(error instanceof errors.RPError && UNKNOWN_KEY.test(error.message))) throw error;
      await (client.issuer as unknown as { reloadJwksUri(): Promise<void> }).reloadJwksUri();
      return validating.validateIdToken(tokens, checks.nonce, 'token', maxAge);
    }
  }

  /** RP-initiated logout at the provider, when it advertises an end_session_endpoint. */
  async logoutUrl(): Promise<string | null> {
    const client = await this.discover().catch(() => undefined);
    if (!client?.issuer.metadata.end_session_endpoint) return null;
    return client.endSessionUrl({ client_id: client.metadata.client_id });
  }
}
