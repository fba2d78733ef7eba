// The Pod Security Standard "restricted" (kubernetes.io/docs/concepts/security/pod-security-standards), as
// checks over rendered pod templates, and the namespace label that makes the API server enforce it.
import { type Container, type K8sObject, objectName, type PodSpec, type PodTemplate } from './k8s-objects.js';

/** Volume types the Pod Security Standard "restricted" allows. */
const RESTRICTED_VOLUME_TYPES = new Set([
  'configMap',
  'csi',
  'downwardAPI',
  'emptyDir',
  'ephemeral',
  'persistentVolumeClaim',
  'projected',
  'secret',
]);

export const allContainers = (spec: PodSpec): Container[] => [
  ...(spec.initContainers ?? []),
  ...spec.containers,
];

function containerSecurity(container: Container, spec: PodSpec, at: string): string[] {
  const pod = spec.securityContext ?? {};
  const own = container.securityContext ?? {};
  const out: string[] = [];
  if (!(own.runAsNonRoot ?? pod.runAsNonRoot)) out.push(`${at}: runAsNonRoot is not true`);
  if ((own.runAsUser ?? pod.runAsUser) === 0) out.push(`${at}: runs as uid 0`);
  const seccomp = own.seccompProfile?.type ?? pod.seccompProfile?.type;
  if (seccomp !== 'RuntimeDefault' && seccomp !== 'Localhost') {
    out.push(`${at}: seccompProfile is not RuntimeDefault or Localhost`);
  }
  if (own.privileged) out.push(`${at}: is privileged`);
  if (own.allowPrivilegeEscalation !== false) out.push(`${at}: allowPrivilegeEscalation is not false`);
  if (!own.capabilities?.drop?.includes('ALL')) out.push(`${at}: does not drop ALL capabilities`);
  const added = (own.capabilities?.add ?? []).filter((capability) => capability !== 'NET_BIND_SERVICE');
  if (added.length > 0) out.push(`${at}: adds capabilities ${added.join(', ')}`);
  // Not in the standard: Berth's own rule, checked with it because it is the same kind of setting.
  if (own.readOnlyRootFilesystem !== true) out.push(`${at}: readOnlyRootFilesystem is not true`);
  if (container.ports?.some((port) => port.hostPort)) out.push(`${at}: uses a hostPort`);
  return out;
}

/** What a pod template does that "restricted" refuses, one line each. */
export function podSecurityViolations(template: PodTemplate): string[] {
  const where = objectName(template.owner);
  const { spec } = template;
  const out: string[] = [];
  if (spec.hostNetwork || spec.hostPID || spec.hostIPC) out.push(`${where}: uses a host namespace`);
  for (const volume of spec.volumes ?? []) {
    const type = Object.keys(volume).find((key) => key !== 'name');
    if (type && !RESTRICTED_VOLUME_TYPES.has(type)) out.push(`${where}: volume ${volume.name} is ${type}`);
  }
  if (spec.securityContext?.runAsUser === 0) out.push(`${where}: pod runs as uid 0`);
  for (const container of allContainers(spec)) {
    out.push(...containerSecurity(container, spec, `${where} container ${container.name}`));
  }
  return out;
}

/** Namespaces that do not ask the API server to enforce "restricted". */
export function namespaceViolations(objects: readonly K8sObject[]): string[] {
  return objects
    .filter((object) => object.kind === 'Namespace')
    .filter((object) => object.metadata.labels?.['pod-security.kubernetes.io/enforce'] !== 'restricted')
    .map((object) => `${objectName(object)}: not labelled pod-security.kubernetes.io/enforce=restricted`);
}
