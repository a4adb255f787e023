import { createHash, createPrivateKey, createPublicKey, KeyObject, sign, verify } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { parseKey } from '../common/sealing';
import type { Env } from '../config/env.validation';

/** What a grant says: a JWT (EdDSA) any critical system can verify offline with the public key. */
export interface GrantClaims {
  jti: string;
  iss: 'recovery-desk';
  sub: string;
  sid: string;
  custodians: string[];
  iat: number;
  exp: number;
}

const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const b64url = (data: Buffer | string) => Buffer.from(data).toString('base64url');

/** Signs and checks grants with the Ed25519 key from GRANT_SIGNING_KEY. */
@Injectable()
export class GrantSigner {
  private readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  readonly kid: string;

  constructor(config: ConfigService<Env, true>) {
    const seed = parseKey(config.get('GRANT_SIGNING_KEY', { infer: true }));
    this.privateKey = createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]), format: 'der', type: 'pkcs8' });
    this.publicKey = createPublicKey(this.privateKey);
    this.kid = createHash('sha256')
      .update(this.publicKey.export({ format: 'der', type: 'spki' }))
      .digest('hex')
      .slice(0, 16);
  }

  sign(claims: GrantClaims): string {
    const header = b64url(JSON.stringify({ alg: 'EdDSA', typ: 'JWT', kid: this.kid }));
    const body = b64url(JSON.stringify(claims));
    const signature = sign(null, Buffer.from(`${header}.${body}`), this.privateKey);
    return `${header}.${body}.${b64url(signature)}`;
  }

  /** The claims when the signature is ours, else undefined (expiry is the caller's to judge). */
  open(token: string): GrantClaims | undefined {
    const parts = typeof token === 'string' ? token.split('.') : [];
    if (parts.length !== 3) return undefined;
    try {
      const header = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8')) as { alg?: string; kid?: string };
      if (header.alg !== 'EdDSA' || header.kid !== this.kid) return undefined;
      if (!verify(null, Buffer.from(`${parts[0]}.${parts[1]}`), this.publicKey, Buffer.from(parts[2], 'base64url'))) return undefined;
      return JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')) as GrantClaims;
    } catch {
      return undefined;
    }
  }

  publicJwk() {
    return { ...this.publicKey.export({ format: 'jwk' }), kid: this.kid, alg: 'EdDSA', use: 'sig' };
  }
}
