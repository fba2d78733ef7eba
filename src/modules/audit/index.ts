// The tamper-evident audit log: the hash chain, checkpoints, verify, export, and the guardrail counter.
export { type AuditConfig, auditSection, ed25519PrivateKey } from './audit.config.js';
export { type AuditModule, createAuditModule } from './audit.module.js';
export {
  type AuditEntry,
  type AuditQuery,
  type AuditRecord,
  type AuditRepository,
  createAuditRepository,
} from './audit.repository.js';
export { registerAuditRoutes } from './audit.routes.js';
export {
  type AuditEventView,
  auditEventView,
  chainView,
  checkpointWire,
  eventFromWire,
  eventWire,
} from './audit.schemas.js';
export { type AuditService, createAuditService } from './audit.service.js';
export { auditCheckpoints, auditEvents, auditHeads } from './audit.tables.js';
export { auditEntryOf, type LifecycleFact } from './audit-events.js';
export { createCheckpointSigner, eventHash, GENESIS_HASH, keyIdOf } from './audit-hash.js';
export { type AuditLog, createAuditLog } from './audit-log.js';
export {
  type AuditEvent,
  edgePublisher,
  type GuardrailBlocked,
  subscribeAuditTrail,
} from './audit-trail.js';
export {
  type BrokenLink,
  type ChainSource,
  type TenantVerdict,
  verifyTenant,
} from './audit-verify.js';
export { type EdgeEvent, edgeEventOf } from './edge-events.js';
export {
  createGuardrailCounter,
  type GuardrailRule,
  guardrailRule,
  guardrailRules,
  toolRefusalRule,
} from './guardrails.js';
