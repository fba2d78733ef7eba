import type { Db } from '../../platform/db/index.js';
import type { HttpApp } from '../../platform/http/index.js';
import type { Logger, Registry } from '../../platform/telemetry/index.js';
import type { ApprovalBus } from './approval-events.js';
import { createApprovalNotifier, type NotifyTransport } from './approval-notifier.js';
import type { ApprovalsConfig } from './approvals.config.js';
import { createApprovalsRepository } from './approvals.repository.js';
import { registerApprovalRoutes } from './approvals.routes.js';
import { type ApprovalStepGate, createApprovalsService } from './approvals.service.js';
import { createExpirySweep } from './expiry-sweep.js';

export interface ApprovalsModuleOptions {
  db: Db;
  config: ApprovalsConfig;
  /** The tasks module's side of a decision. */
  gate: ApprovalStepGate;
  bus: ApprovalBus;
  metrics: Registry;
  logger: Logger;
  /** BERTH_WEBHOOK_ALLOW: lets the notify URL name a private address. */
  webhookAllow?: readonly string[];
  /** How the notify webhook is reached; default through the webhook guard (BERTH_WEBHOOK_ALLOW or public). */
  notifyTransport?: NotifyTransport;
}

/** Approvals: the API that lists and decides them, the expiry sweep, and the notify webhook. */
export function createApprovalsModule(options: ApprovalsModuleOptions) {
  const { config, gate, bus, logger } = options;
  const repo = createApprovalsRepository(options.db);
  const service = createApprovalsService({ repo, gate, events: bus });
  const sweep = createExpirySweep({ repo, gate, events: bus, logger, intervalMs: config.sweepIntervalMs });
  const notifier = config.notifyUrl
    ? createApprovalNotifier({
        url: config.notifyUrl,
        bus,
        metrics: options.metrics,
        logger,
        transport: options.notifyTransport,
        webhookAllow: options.webhookAllow,
      })
    : undefined;
  return {
    service,
    registerRoutes: (app: HttpApp) => registerApprovalRoutes(app, { approvals: service }),
    /** The worker side: expires approvals past their time. */
    startSweep: () => sweep.start(),
    sweep: () => sweep.sweep(),
    async stop() {
      await sweep.stop();
      notifier?.stop();
    },
  };
}
export type ApprovalsModule = ReturnType<typeof createApprovalsModule>;
