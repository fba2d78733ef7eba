import type { Db } from '../../platform/db/index.js';
import type { Listener, Publisher } from '../../platform/events/index.js';
import type { HttpApp, ResponseFact } from '../../platform/http/index.js';
import type { Logger, Registry } from '../../platform/telemetry/index.js';
import { type AuditConfig, ed25519PrivateKey } from './audit.config.js';
import { createAuditRepository } from './audit.repository.js';
import { registerAuditRoutes } from './audit.routes.js';
import { createAuditService } from './audit.service.js';
import type { LifecycleFact } from './audit-events.js';
import { createAuditLog } from './audit-log.js';
import { type AuditEvent, edgePublisher, subscribeAuditTrail } from './audit-trail.js';
import { createGuardrailCounter } from './guardrails.js';

export interface AuditModuleOptions {
  db: Db;
  config: AuditConfig;
  /** Stamped on every event: the version of the configuration that shapes answers. */
  configVersion: string;
  bus: Publisher<AuditEvent> & { subscribeAll(listener: Listener<LifecycleFact>): () => void };
  metrics: Registry;
  logger: Logger;
}

/** The audit trail of one process: every lifecycle event becomes a chained row, every refusal a count. */
export function createAuditModule(options: AuditModuleOptions) {
  const repo = createAuditRepository(options.db);
  const signingKey = options.config.signingKey ? ed25519PrivateKey(options.config.signingKey) : undefined;
  const log = createAuditLog({
    repo,
    checkpointEvery: options.config.checkpointEvery,
    signingKey,
    configVersion: options.configVersion,
  });
  const unsubscribe = subscribeAuditTrail({
    events: options.bus,
    log,
    countBlock: createGuardrailCounter(options.metrics),
  });
  const service = createAuditService({ repo });
  return {
    /** For createHttpServer's onResponse: publishes every write and denial at the edge. */
    onResponse: edgePublisher(options.bus, options.logger) as (fact: ResponseFact) => void,
    registerRoutes: (http: HttpApp) => registerAuditRoutes(http, { audit: service }),
    stop: unsubscribe,
  };
}
export type AuditModule = ReturnType<typeof createAuditModule>;
