import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** One code: its non-secret lookup part and the argon2id hash of its secret part. Never the code itself. */
@Entity('backup_codes')
export class BackupCode {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column('uuid', { name: 'set_id' }) setId: string;
  @Column('uuid', { name: 'account_id' }) accountId: string;
  @Column('char', { length: 2 }) lookup: string;
  @Column('text', { select: false }) hash: string;
  @Column('timestamptz', { name: 'used_at', nullable: true }) usedAt: Date | null;
}
