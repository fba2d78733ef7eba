import { describe, expect, it } from 'vitest';
import type { K8sObject } from './k8s-objects.js';
import { configMapViolations } from './pod-rules.js';

const configMap = (data: Record<string, string>) =>
  ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'berth-config' }, data }) as K8sObject;

describe('configMapViolations', () => {
  it('passes budget counts in tokens and refuses tokens, signing keys and private keys', () => {
    expect(
      configMapViolations([configMap({ BERTH_TENANT_DAILY_TOKENS: '200000', BERTH_WEBHOOK_ALLOW: 'a:443' })]),
    ).toEqual([]);
    expect(
      configMapViolations([
        configMap({
          GITHUB_TOKEN: 'x',
          BERTH_AUDIT_SIGNING_KEY: 'y',
          KEY_PEM: '-----BEGIN PRIVATE KEY-----\nMC4C\n-----END PRIVATE KEY-----',
          BERTH_SMTP_URL: 'smtps://berth:s3cret@smtp.example.com',
        }),
      ]),
    ).toEqual([
      'ConfigMap/berth-config: key GITHUB_TOKEN looks like a secret (put it in a Secret)',
      'ConfigMap/berth-config: key BERTH_AUDIT_SIGNING_KEY looks like a secret (put it in a Secret)',
      'ConfigMap/berth-config: key KEY_PEM holds a private key (put it in a Secret)',
      'ConfigMap/berth-config: key BERTH_SMTP_URL holds a URL with a password (put it in a Secret)',
    ]);
  });
});
