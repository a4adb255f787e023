import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** New codes sealed for the subject alone; erased on redemption or expiry. */
@Entity('delivery_envelopes')
export class DeliveryEnvelope {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column('uuid', { name: 'account_id' }) accountId: string;
  @Column('uuid', { name: 'set_id' }) setId: string;
  @Column('char', { name: 'token_hash', length: 64, select: false }) tokenHash: string;
  @Column('bytea', { nullable: true, select: false }) ciphertext: Buffer | null;
  @Column('timestamptz', { name: 'created_at' }) createdAt: Date;
  @Column('timestamptz', { name: 'expires_at' }) expiresAt: Date;
  @Column('timestamptz', { name: 'redeemed_at', nullable: true }) redeemedAt: Date | null;
  @Column('timestamptz', { name: 'erased_at', nullable: true }) erasedAt: Date | null;
}
