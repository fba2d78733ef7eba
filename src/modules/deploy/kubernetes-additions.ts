// What a config adds to the default overlay: egress to the providers and hosts it names, and the agents'
// config file for the pods.
import { stringify } from 'yaml';
import type { DeployPlan } from './deploy-plan.js';
import { type EgressTarget, egressPeers } from './egress.js';
import { type GeneratedFile, yamlText } from './yaml-text.js';

/** Where the pods read the agents (BERTH_CONFIG), from the ConfigMap berth-file. */
export const CONFIG_FILE_PATH = '/etc/berth/berth.yaml';
export const API_AND_WORKER = {
  matchExpressions: [
    { key: 'app.kubernetes.io/name', operator: 'In', values: ['berth'] },
    { key: 'app.kubernetes.io/component', operator: 'In', values: ['api', 'worker'] },
  ],
};

function egressPolicy(name: string, targets: EgressTarget[], what: string) {
  return {
    comment: `${what}: ${targets.map((t) => `${t.endpoint} (${t.key})`).join(', ')}. A NetworkPolicy cannot name hosts:\na host name gets its port on public addresses, a Service its namespace, an IP address itself.`,
    value: {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: {
        name,
        labels: { 'app.kubernetes.io/part-of': 'berth' },
        annotations: { 'berth.dev/egress-to': targets.map((t) => t.endpoint).join(',') },
      },
      spec: {
        podSelector: API_AND_WORKER,
        policyTypes: ['Egress'],
        egress: targets.map((t) => ({ to: egressPeers(t), ports: [{ protocol: 'TCP', port: t.port }] })),
      },
    },
  };
}

/** Every egress list of the plan with its policy, in the order egress.yaml (and the chart's extraEgress) holds them. */
export function egressLists(plan: DeployPlan) {
  return [
    { name: 'berth-to-llm-providers', targets: plan.llmEgress, what: 'The model providers the agents use' },
    {
      name: 'berth-to-fetch-allow',
      targets: plan.fetchEgress,
      what: 'Hosts fetch_url may reach (tools.fetchAllow)',
    },
    {
      name: 'berth-to-webhooks',
      targets: plan.webhookEgress,
      what: 'Hosts http_post may post to (tools.webhookAllow) and the approvals notify URL',
    },
    { name: 'berth-to-smtp', targets: plan.smtpEgress, what: "send_email's SMTP server (tools.smtp.url)" },
  ].filter((list) => list.targets.length > 0);
}

export function egressFiles(plan: DeployPlan): GeneratedFile | undefined {
  const docs = egressLists(plan).map((list) => egressPolicy(list.name, list.targets, list.what));
  return docs.length > 0 ? { path: 'egress.yaml', text: yamlText(docs) } : undefined;
}

export function agentsFiles(plan: DeployPlan): GeneratedFile[] {
  if (!plan.agents) return [];
  const mount = (name: string) => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name },
    spec: {
      template: {
        spec: {
          containers: [
            {
              name: 'berth',
              env: [{ name: 'BERTH_CONFIG', value: CONFIG_FILE_PATH }],
              volumeMounts: [{ name: 'berth-file', mountPath: '/etc/berth', readOnly: true }],
            },
          ],
          volumes: [{ name: 'berth-file', configMap: { name: 'berth-file' } }],
        },
      },
    },
  });
  return [
    { path: 'berth.yaml', text: stringify({ agents: plan.agents }, { lineWidth: 0 }) },
    {
      path: 'config-file.yaml',
      text: yamlText([
        {
          comment: `The agents (berth.yaml, ConfigMap berth-file) read by the api and the workers at ${CONFIG_FILE_PATH}.`,
          value: mount('berth-api'),
        },
        { value: mount('berth-worker') },
      ]),
    },
  ];
}
