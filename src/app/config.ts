import { z } from 'zod';
import { agentsSection } from '../modules/agents/index.js';
import { approvalsSection } from '../modules/approvals/index.js';
import { auditSection } from '../modules/audit/index.js';
import { budgetsSection } from '../modules/budgets/index.js';
import { deploySchema } from '../modules/deploy/index.js';
import { gatewayConfigIssues, gatewaySection } from '../modules/gateway/index.js';
import { pricesSection } from '../modules/llm/index.js';
import { mcpSecretPaths, mcpSection } from '../modules/mcp/index.js';
import { toolsSection } from '../modules/tools/index.js';
import {
  type ConfigError,
  checkPlatformConfig,
  type LoadConfigInput,
  loadConfigWith,
  platformSections,
} from '../platform/config/index.js';
import type { Result } from '../platform/errors.js';

/** The whole of berth.yaml: the platform's sections and each feature's own. */
export const configSchema = z
  .strictObject({
    ...platformSections,
    agents: agentsSection,
    /** USD per million input and output tokens, per provider and model. */
    prices: pricesSection,
    budgets: budgetsSection,
    audit: auditSection,
    approvals: approvalsSection,
    tools: toolsSection,
    /** Model routes: `model` names OpenAI-compatible clients may call through /v1 (docs/gateway.md). */
    gateway: gatewaySection,
    /** MCP servers whose tools agents and tasks may use. */
    mcp: mcpSection,
    /** Where `berth deploy` puts each environment and how it scales; read by nothing else. */
    deploy: deploySchema,
  })
  .superRefine(checkPlatformConfig)
  .superRefine((config, ctx) => {
    for (const issue of gatewayConfigIssues(config.gateway, config.agents, config.llm.provider))
      ctx.addIssue({ code: 'custom', ...issue });
  });

export type Config = z.output<typeof configSchema>;

/** defaults → file (berth.yaml or BERTH_CONFIG) → environment → `checks`, against the whole schema. */
export const loadConfig = (input: LoadConfigInput<Config>): Result<Config, ConfigError> =>
  loadConfigWith(configSchema, { references: mcpSecretPaths, ...input });
