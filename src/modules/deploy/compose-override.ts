// `berth deploy --target compose`: an override of compose.yaml for the api and the workers:
//   docker compose -f compose.yaml -f deploy/compose/berth.<env>.yaml up -d
import type { DeployPlan } from './deploy-plan.js';
import { CONFIG_FILE_PATH } from './kubernetes-additions.js';
import { type GeneratedFile, HEADER, yamlText } from './yaml-text.js';

export interface ComposeOptions {
  command: string;
  /** Path from the project directory (where compose.yaml is) to the output directory. */
  outputFromProject: string;
}

export function composeOverride(plan: DeployPlan, options: ComposeOptions): GeneratedFile[] {
  const environment: Record<string, string> = { LOG_LEVEL: plan.environment.logLevel, ...plan.settings };
  // Compose interpolates ${…:?…} from .env: a missing key stops `docker compose up` with this message.
  for (const ref of plan.extraSecrets) {
    environment[ref.variable] = `\${${ref.variable}:?set ${ref.variable} in .env (${ref.reason})}`;
  }
  const dir = options.outputFromProject.replace(/\/$/, '') || '.';
  if (plan.agents) environment.BERTH_CONFIG = CONFIG_FILE_PATH;
  const role = {
    environment,
    ...(plan.agents ? { volumes: [`./${dir}/berth.yaml:${CONFIG_FILE_PATH}:ro`] } : {}),
  };
  // The image stays compose.yaml's berth:local, built from this checkout: --image does not apply here.
  const value = {
    services: {
      migrate: { environment: { LOG_LEVEL: plan.environment.logLevel } },
      api: role,
      worker: role,
    },
  };
  const comment = [
    `Berth's ${plan.env} settings over compose.yaml.`,
    HEADER(options.command),
    `  docker compose -f compose.yaml -f ${dir}/berth.${plan.env}.yaml up -d`,
  ].join('\n');
  const files: GeneratedFile[] = [{ path: `berth.${plan.env}.yaml`, text: yamlText([{ comment, value }]) }];
  if (plan.agents) {
    files.push({ path: 'berth.yaml', text: yamlText([{ value: { agents: plan.agents } }]) });
  }
  return files;
}
