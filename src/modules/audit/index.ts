// The tamper-evident audit log: the hash chain, checkpoints, verify, export, and the guardrail counter.
export { auditSection, ed25519PrivateKey } from './audit.config.js';
export { createAuditModule } from './audit.module.js';
export { type AuditEntry, createAuditRepository } from './audit.repository.js';
export { type AuditEventView, auditEventView, chainView, eventFromWire, eventWire } from './audit.schemas.js';
export { auditEvents } from './audit.tables.js';
export { eventHash, GENESIS_HASH, keyIdOf } from './audit-hash.js';
export { createAuditLog } from './audit-log.js';
export type { AuditEvent, GuardrailBlocked } from './audit-trail.js';
export { type ChainSource, type TenantVerdict, verifyTenant } from './audit-verify.js';
export { type GuardrailRule, toolRefusalRule } from './guardrails.js';
