import { Account } from '../accounts/account.entity';
import { AccountReport } from '../accounts/account-report.entity';
import { AccountChange } from '../accounts/account-change.entity';
import { AuditEvent } from '../audit/audit-event.entity';
import { Staff } from '../staff/staff.entity';
import { StaffToken } from '../staff/staff-token.entity';
import { BackupCode } from '../codes/backup-code.entity';
import { CodeGuard } from '../codes/code-guard.entity';
import { CodeSet } from '../codes/code-set.entity';
import { ReissueRequest } from '../codes/reissue-request.entity';
import { DeliveryEnvelope } from '../delivery/delivery-envelope.entity';
import { OutboxMessage } from '../notifications/outbox-message.entity';
import { Foundation1764000000000 } from '../../migrations/1764000000000-foundation';
import { BackupCodes1764000100000 } from '../../migrations/1764000100000-backup-codes';
import { RecoveryTickets1764000200000 } from '../../migrations/1764000200000-recovery-tickets';
import { DualCodeUnlock1764000300000 } from '../../migrations/1764000300000-dual-code-unlock';
import { Drills1764000400000 } from '../../migrations/1764000400000-drills';
import { LiveQueueIndex1764000500000 } from '../../migrations/1764000500000-live-queue-index';
import { OutboxFailures1764000600000 } from '../../migrations/1764000600000-outbox-failures';
import { RiskSignals1764000700000 } from '../../migrations/1764000700000-risk-signals';
import { StaffSessions1764000800000 } from '../../migrations/1764000800000-staff-sessions';
import { IntakeAndSupersede1764000816000 } from '../../migrations/1764000816000-intake-and-supersede';
import { AccountRecoveryHold1764000820000 } from '../../migrations/1764000820000-account-recovery-hold';
import { ChangeRequests1764001500000 } from '../../migrations/1764001500000-change-requests';
import { ChangeRequest } from '../change-requests/change-request.entity';
import { AuditMerkleLog1764002000000 } from '../../migrations/1764002000000-audit-merkle-log';
import { AccountHistorySignals1764003000000 } from '../../migrations/1764003000000-account-history-signals';
import { CriticalChanges1764003100000 } from '../../migrations/1764003100000-critical-changes';
import { ApprovedFacts1764003200000 } from '../../migrations/1764003200000-approved-facts';
import { StaffAuthNotify1764003300000 } from '../../migrations/1764003300000-staff-auth-notify';
import { LockTicket1764003400000 } from '../../migrations/1764003400000-lock-ticket';
import { LockCodeUse1764003500000 } from '../../migrations/1764003500000-lock-code-use';
import { ScimProvisioning1764000800000 } from '../../migrations/1764000800000-scim-provisioning';
import { DirectoryUser } from '../scim/directory-user.entity';
import { ScimConnection } from '../scim/scim-connection.entity';
import { ServiceTokenScopes1764000830000 } from '../../migrations/1764000830000-service-token-scopes';
import { Drill } from '../drills/drill.entity';
import { CriticalSystem, Custodian, Grant, Presentation, UnlockSession } from '../unlock/unlock.entities';
import { Approval } from '../tickets/approval.entity';
import { Ticket } from '../tickets/ticket.entity';
import { TicketLink } from '../tickets/ticket-link.entity';
import { TicketStep } from '../tickets/ticket-step.entity';
import { TicketSignal } from '../tickets/risk/ticket-signal.entity';

/** Every entity and migration, listed explicitly (no globs: the build and the tests see the same list). */
export const ENTITIES = [
  Account,
  Staff,
  StaffToken,
  AuditEvent,
  CodeSet,
  BackupCode,
  CodeGuard,
  DeliveryEnvelope,
  OutboxMessage,
  ReissueRequest,
  Ticket,
  TicketStep,
  Approval,
  TicketLink,
  TicketSignal,
  CriticalSystem,
  Custodian,
  UnlockSession,
  Presentation,
  Grant,
  Drill,
  AccountReport,
  ChangeRequest,
  ScimConnection,
  DirectoryUser,
  AccountChange,
];
export const MIGRATIONS = [
  Foundation1764000000000,
  BackupCodes1764000100000,
  RecoveryTickets1764000200000,
  DualCodeUnlock1764000300000,
  Drills1764000400000,
  LiveQueueIndex1764000500000,
  OutboxFailures1764000600000,
  RiskSignals1764000700000,
  StaffSessions1764000800000,
  ScimProvisioning1764000800000,
  IntakeAndSupersede1764000816000,
  AccountRecoveryHold1764000820000,
  ServiceTokenScopes1764000830000,
  ChangeRequests1764001500000,
  AuditMerkleLog1764002000000,
  AccountHistorySignals1764003000000,
  CriticalChanges1764003100000,
  ApprovedFacts1764003200000,
  StaffAuthNotify1764003300000,
  LockTicket1764003400000,
  LockCodeUse1764003500000,
];
