// What the side-effecting tools and the approvals add to a deployment: egress to exactly the webhook hosts,
// the SMTP server and the approvals' notify URL the config names, their secrets as references to
// berth-secrets, the non-secret settings in the ConfigMap, and the same in the overlay and the chart.
import { generateKeyPairSync } from 'node:crypto';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type K8sObject, objectName, renderHelm, renderKustomize } from '../support/k8s/render.js';
import { checked, type Env, generate, tempDir, write } from './generate.js';
import { find, specOf } from './kubernetes-checks.js';

const SIGNING_KEY = generateKeyPairSync('ed25519')
  .privateKey.export({ type: 'pkcs8', format: 'pem' })
  .toString();
const SIDE_EFFECTS = {
  tools: {
    webhookAllow: ['hooks.example.com:443', 'ci.builds.svc:8080', '93.184.215.14:8443'],
    smtp: { url: 'smtps://berth:s3cret@smtp.example.com', from: 'Berth <berth@example.com>' },
  },
  approvals: { notifyUrl: 'https://chat.example.org:8443/hooks/T000/B000/XXXX' },
  audit: { signingKey: SIGNING_KEY },
  budgets: { tenant: { dailyTokens: 200_000, monthlyUsd: 12.5 }, costAlertUsd: 10 },
};
const PUBLIC = [
  {
    ipBlock: {
      cidr: '0.0.0.0/0',
      except: ['169.254.0.0/16', '10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'],
    },
  },
  { ipBlock: { cidr: '::/0', except: ['fe80::/10', 'fc00::/7'] } },
];
const rule = (to: unknown[], port: number) => ({ to, ports: [{ protocol: 'TCP', port }] });

function kustomize(raw: Record<string, unknown>, env: Env) {
  const dir = tempDir();
  write(dir, generate(raw, 'kubernetes', env, dir));
  return checked(renderKustomize(dir));
}
function helm(raw: Record<string, unknown>, env: Env) {
  const dir = tempDir();
  write(dir, generate(raw, 'helm', env, dir));
  return checked(
    renderHelm('deploy/helm/berth', {
      valuesFiles: [join(dir, `values-${env}.yaml`)],
      namespace: `berth-${env}`,
    }),
  );
}
const byName = (objects: K8sObject[]) => new Map(objects.map((o) => [objectName(o), o]));
const data = (objects: K8sObject[], name = 'berth-config') =>
  (find(objects, 'ConfigMap', name)[0] as { data?: Record<string, string> } | undefined)?.data ?? {};
const secretKeys = (objects: K8sObject[]) =>
  specOf(find(objects, 'ExternalSecret', 'berth-secrets')[0] as K8sObject).data as {
    secretKey: string;
    remoteRef: { key: string };
  }[];

describe('webhooks, SMTP and the approvals notify URL', () => {
  it('add exactly their egress rules, Secret references and settings, and change nothing else', () => {
    const before = byName(kustomize({}, 'production'));
    const after = byName(kustomize(SIDE_EFFECTS, 'production'));
    expect([...after.keys()].filter((name) => !before.has(name)).sort()).toEqual([
      'NetworkPolicy/berth-to-smtp',
      'NetworkPolicy/berth-to-webhooks',
    ]);
    expect([...before.keys()].filter((name) => !after.has(name))).toEqual([]);
    const changed = [...before.keys()].filter(
      (name) => JSON.stringify(after.get(name)) !== JSON.stringify(before.get(name)),
    );
    expect(changed.sort()).toEqual(['ConfigMap/berth-config', 'ExternalSecret/berth-secrets']);

    const spec = (name: string) => specOf(after.get(name) as K8sObject);
    expect(spec('NetworkPolicy/berth-to-webhooks').egress).toEqual([
      rule(PUBLIC, 443),
      rule([{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'builds' } } }], 8080),
      rule([{ ipBlock: { cidr: '93.184.215.14/32' } }], 8443),
      rule(PUBLIC, 8443),
    ]);
    expect(after.get('NetworkPolicy/berth-to-webhooks')?.metadata.annotations?.['berth.dev/egress-to']).toBe(
      'hooks.example.com:443,ci.builds.svc:8080,93.184.215.14:8443,chat.example.org:8443',
    );
    // smtps:// without a port: 465, where send_email connects.
    expect(spec('NetworkPolicy/berth-to-smtp').egress).toEqual([rule(PUBLIC, 465)]);

    const secretsBefore = specOf(before.get('ExternalSecret/berth-secrets') as K8sObject).data;
    const secretsAfter = specOf(after.get('ExternalSecret/berth-secrets') as K8sObject).data;
    expect(secretsAfter.slice(0, secretsBefore.length)).toEqual(secretsBefore);
    expect(secretsAfter.slice(secretsBefore.length)).toEqual(
      ['smtp-url', 'audit-signing-key', 'approval-notify-url'].map((name, i) => ({
        secretKey: ['BERTH_SMTP_URL', 'BERTH_AUDIT_SIGNING_KEY', 'BERTH_APPROVAL_NOTIFY_URL'][i],
        remoteRef: { key: `berth/production/${name}` },
      })),
    );

    const config = (objects: Map<string, K8sObject>) =>
      data([objects.get('ConfigMap/berth-config') as K8sObject]);
    const added = Object.fromEntries(
      Object.entries(config(after)).filter(([key, value]) => config(before)[key] !== value),
    );
    expect(added).toEqual({
      BERTH_WEBHOOK_ALLOW: 'hooks.example.com:443,ci.builds.svc:8080,93.184.215.14:8443',
      BERTH_SMTP_FROM: 'Berth <berth@example.com>',
      BERTH_TENANT_DAILY_TOKENS: '200000',
      BERTH_TENANT_MONTHLY_USD: '12.5',
      BERTH_COST_ALERT_THRESHOLD: '10',
    });
    expect(JSON.stringify([...after.values()].filter((o) => o.kind === 'ConfigMap'))).not.toMatch(
      /s3cret|PRIVATE KEY|hooks\/T000/,
    );
  });

  it('render the same settings, secret references and egress from the overlay and the chart', () => {
    const k = kustomize(SIDE_EFFECTS, 'staging');
    const h = helm(SIDE_EFFECTS, 'staging');
    expect(data(h)).toEqual(data(k));
    const sorted = (objects: K8sObject[]) =>
      secretKeys(objects).sort((a, b) => a.secretKey.localeCompare(b.secretKey));
    expect(sorted(h)).toEqual(sorted(k));
    const generated = ['berth-to-webhooks', 'berth-to-smtp'].flatMap(
      (name) => specOf(find(k, 'NetworkPolicy', name)[0] as K8sObject).egress,
    );
    const extra = specOf(find(h, 'NetworkPolicy', 'berth-extra-egress')[0] as K8sObject).egress;
    expect(extra).toEqual(generated);
  });
});
