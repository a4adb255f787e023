import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** One error a connection's request got, kept for the admin view (no request body, no secret). */
export interface ConnectionError {
  at: string;
  method: string;
  status: number;
  scimType: string | null;
  detail: string;
}

/** A directory (Okta, Entra ID …) allowed to provision accounts, with its own bearer secret (stored hashed). */
@Entity('scim_connections')
export class ScimConnection {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column() name: string;
  /** Null while a connection created through a change request waits for its requester to fetch the secret (once). */
  @Column('char', { name: 'secret_hash', length: 64, select: false, nullable: true }) secretHash: string | null;
  @Column({ name: 'created_by' }) createdBy: string;
  @Column('timestamptz', { name: 'created_at' }) createdAt: Date;
  @Column('timestamptz', { name: 'revoked_at', nullable: true }) revokedAt: Date | null;
  @Column('text', { name: 'revoked_by', nullable: true }) revokedBy: string | null;
  @Column('timestamptz', { name: 'last_request_at', nullable: true }) lastRequestAt: Date | null;
  @Column('int') requests: number;
  @Column('int') creates: number;
  @Column('int') updates: number;
  @Column('int') deactivations: number;
  @Column('int') errors: number;
  @Column('jsonb', { name: 'last_errors' }) lastErrors: ConnectionError[];
}
