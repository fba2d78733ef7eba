// Policy checks over rendered manifests, in place of kube-score/kubescape/polaris (not installable here).
// Each violation is one line naming the object and the rule, so the message says what to fix.

import { egressToLinkLocal } from './egress-rules.js';
import type { K8sObject } from './k8s-objects.js';
import { podTemplates } from './k8s-objects.js';
import {
  configMapViolations,
  containerViolations,
  sameBerthImage,
  workerGraceViolations,
} from './pod-rules.js';
import { namespaceViolations, podSecurityViolations } from './pod-security.js';

/** Every policy violation in a rendered set of objects; empty when it passes. */
export function policyViolations(objects: readonly K8sObject[]): string[] {
  const templates = podTemplates(objects);
  return [
    ...templates.flatMap(podSecurityViolations),
    ...templates.flatMap(containerViolations),
    ...sameBerthImage(templates),
    ...workerGraceViolations(templates, objects),
    ...configMapViolations(objects),
    ...egressToLinkLocal(objects),
    ...namespaceViolations(objects),
  ];
}
