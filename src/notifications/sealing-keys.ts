import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { parseKey, Sealer } from '../common/sealing';
import type { Env } from '../config/env.validation';

/** One sealer per purpose, all derived from DELIVERY_KEY. */
@Injectable()
export class SealingKeys {
  readonly envelopes: Sealer;
  readonly outbox: Sealer;

  constructor(config: ConfigService<Env, true>) {
    const master = parseKey(config.get('DELIVERY_KEY', { infer: true }));
    this.envelopes = new Sealer(master, 'delivery-envelope');
    this.outbox = new Sealer(master, 'outbox');
  }
}
