// Rendered Kubernetes objects as plain data, and the pod templates inside them: what the schema and policy
// checks read (the schema check covers every other field).
import { parseAllDocuments } from 'yaml';

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  [key: string]: unknown;
}

/** The parts of a container the policy reads. */
export interface Container {
  name: string;
  image?: string;
  args?: string[];
  command?: string[];
  env?: { name: string; value?: string; valueFrom?: unknown }[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  ports?: { name?: string; containerPort: number; hostPort?: number; protocol?: string }[];
  livenessProbe?: Record<string, unknown>;
  readinessProbe?: Record<string, unknown>;
  startupProbe?: Record<string, unknown>;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: SecurityContext;
  volumeMounts?: { name: string; mountPath: string; readOnly?: boolean }[];
}

export interface SecurityContext {
  runAsNonRoot?: boolean;
  runAsUser?: number;
  runAsGroup?: number;
  fsGroup?: number;
  privileged?: boolean;
  allowPrivilegeEscalation?: boolean;
  readOnlyRootFilesystem?: boolean;
  capabilities?: { add?: string[]; drop?: string[] };
  seccompProfile?: { type?: string };
}

export interface PodSpec {
  containers: Container[];
  initContainers?: Container[];
  securityContext?: SecurityContext;
  volumes?: ({ name: string } & Record<string, unknown>)[];
  hostNetwork?: boolean;
  hostPID?: boolean;
  hostIPC?: boolean;
  automountServiceAccountToken?: boolean;
  serviceAccountName?: string;
  terminationGracePeriodSeconds?: number;
}

export interface PodTemplate {
  owner: K8sObject;
  spec: PodSpec;
  metadata: { labels?: Record<string, string>; annotations?: Record<string, string> };
}

/** Every non-empty document of a multi-document YAML text; a YAML error throws with its position. */
export function parseManifests(text: string, source = 'manifest'): K8sObject[] {
  const objects: K8sObject[] = [];
  for (const document of parseAllDocuments(text)) {
    if (document.errors.length > 0) throw new Error(`${source}: ${document.errors[0]?.message}`);
    const value = document.toJS() as unknown;
    if (value === null || value === undefined) continue;
    if (typeof value !== 'object' || Array.isArray(value)) {
      throw new Error(`${source}: a document is not an object`);
    }
    objects.push(value as K8sObject);
  }
  return objects;
}

type WithTemplate = { spec?: { template?: { metadata?: PodTemplate['metadata']; spec?: PodSpec } } };

/** The pod templates of every workload kind, including a CronJob's and an Argo Rollout's. */
export function podTemplates(objects: readonly K8sObject[]): PodTemplate[] {
  const templates: PodTemplate[] = [];
  for (const owner of objects) {
    let template: { metadata?: PodTemplate['metadata']; spec?: PodSpec } | undefined;
    switch (owner.kind) {
      case 'Deployment':
      case 'StatefulSet':
      case 'DaemonSet':
      case 'ReplicaSet':
      case 'Job':
      case 'Rollout':
        template = (owner as WithTemplate).spec?.template;
        break;
      case 'CronJob':
        template = (owner as { spec?: { jobTemplate?: WithTemplate } }).spec?.jobTemplate?.spec?.template;
        break;
      default:
        continue;
    }
    // A Rollout with workloadRef takes its template from the Deployment, which is checked on its own.
    if (!template?.spec) continue;
    templates.push({ owner, spec: template.spec, metadata: template.metadata ?? {} });
  }
  return templates;
}

/** `Kind/name` for messages. */
export function objectName(object: K8sObject): string {
  return `${object.kind}/${object.metadata?.name ?? '?'}`;
}
