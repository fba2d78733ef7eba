// Policy checks over rendered manifests, in place of kube-score/kubescape/polaris (not installable here).
// Each violation is one line naming the object and the rule, so a failing test says what to fix.
import ipaddr from 'ipaddr.js';
import {
  type Container,
  type K8sObject,
  objectName,
  type PodSpec,
  type PodTemplate,
  podTemplates,
} from './render.js';

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
const DEFAULT_TERMINATION_GRACE_SECONDS = 30;
const DEFAULT_WORKER_SHUTDOWN_GRACE_MS = 20_000;
/** Cloud metadata endpoints: never reachable from Berth's pods. */
const LINK_LOCAL = ['169.254.0.0/16', 'fe80::/10'];
const SECRET_KEY = /pass(word)?|secret|token|api[_-]?key|credential|private[_-]?key/i;
const URL_WITH_PASSWORD = /[a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:[^/\s@]+@/i;

const isJob = (owner: K8sObject) => owner.kind === 'Job' || owner.kind === 'CronJob';
const allContainers = (spec: PodSpec): Container[] => [...(spec.initContainers ?? []), ...spec.containers];
const isBerthImage = (image: string | undefined) => /(^|\/)berth(:|@|$)/.test(image ?? '');

function podSecurityViolations(template: PodTemplate): string[] {
  const where = objectName(template.owner);
  const { spec } = template;
  const pod = spec.securityContext ?? {};
  const out: string[] = [];
  if (spec.hostNetwork || spec.hostPID || spec.hostIPC) out.push(`${where}: uses a host namespace`);
  for (const volume of spec.volumes ?? []) {
    const type = Object.keys(volume).find((key) => key !== 'name');
    if (type && !RESTRICTED_VOLUME_TYPES.has(type)) out.push(`${where}: volume ${volume.name} is ${type}`);
  }
  if (pod.runAsUser === 0) out.push(`${where}: pod runs as uid 0`);
  for (const container of allContainers(spec)) {
    const own = container.securityContext ?? {};
    const at = `${where} container ${container.name}`;
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
    if (own.readOnlyRootFilesystem !== true) out.push(`${at}: readOnlyRootFilesystem is not true`);
    if (container.ports?.some((port) => port.hostPort)) out.push(`${at}: uses a hostPort`);
  }
  return out;
}

function containerViolations(template: PodTemplate): string[] {
  const where = objectName(template.owner);
  const out: string[] = [];
  for (const container of allContainers(template.spec)) {
    const at = `${where} container ${container.name}`;
    const image = container.image ?? '';
    const tag = /^[^@]*:([^/:@]+)$/.exec(image)?.[1];
    if (!image.includes('@sha256:') && !tag)
      out.push(`${at}: image ${image || '(none)'} has no tag or digest`);
    if (tag === 'latest') out.push(`${at}: image ${image} uses :latest`);
    const { requests = {}, limits = {} } = container.resources ?? {};
    if (!requests.cpu) out.push(`${at}: no CPU request`);
    if (!requests.memory) out.push(`${at}: no memory request`);
    if (!limits.memory) out.push(`${at}: no memory limit`);
  }
  // Probes on the long-running containers; a Job's container runs to completion.
  if (!isJob(template.owner)) {
    for (const container of template.spec.containers) {
      const at = `${where} container ${container.name}`;
      if (!container.livenessProbe) out.push(`${at}: no livenessProbe`);
      if (!container.readinessProbe) out.push(`${at}: no readinessProbe`);
    }
  }
  if (template.spec.automountServiceAccountToken !== false) {
    out.push(`${where}: automountServiceAccountToken is not false`);
  }
  return out;
}

function configMapViolations(objects: readonly K8sObject[]): string[] {
  const out: string[] = [];
  for (const object of objects) {
    if (object.kind !== 'ConfigMap') continue;
    const data = (object as { data?: Record<string, string> }).data ?? {};
    for (const [key, value] of Object.entries(data)) {
      if (SECRET_KEY.test(key) && String(value).trim() !== '') {
        out.push(`${objectName(object)}: key ${key} looks like a secret (put it in a Secret)`);
      }
      if (URL_WITH_PASSWORD.test(String(value))) {
        out.push(`${objectName(object)}: key ${key} holds a URL with a password (put it in a Secret)`);
      }
    }
  }
  return out;
}

function sameBerthImage(templates: readonly PodTemplate[]): string[] {
  const images = new Map<string, string[]>();
  for (const template of templates) {
    for (const container of allContainers(template.spec)) {
      if (!isBerthImage(container.image)) continue;
      const users = images.get(container.image as string) ?? [];
      users.push(`${objectName(template.owner)}/${container.name}`);
      images.set(container.image as string, users);
    }
  }
  if (images.size <= 1) return [];
  const list = [...images].map(([image, users]) => `${image} (${users.join(', ')})`).join('; ');
  return [`Berth's roles run different images: ${list}`];
}

/** The value a container sees for an env var: its own `env`, else the last `envFrom` ConfigMap that has it. */
function resolveEnv(container: Container, objects: readonly K8sObject[], name: string): string | undefined {
  const direct = container.env?.find((entry) => entry.name === name);
  if (direct) return direct.value;
  let value: string | undefined;
  for (const source of container.envFrom ?? []) {
    const ref = source.configMapRef?.name;
    if (!ref) continue;
    const configMap = objects.find((object) => object.kind === 'ConfigMap' && object.metadata.name === ref) as
      | { data?: Record<string, string> }
      | undefined;
    const found = configMap?.data?.[name];
    if (found !== undefined) value = found;
  }
  return value;
}

function workerGraceViolations(templates: readonly PodTemplate[], objects: readonly K8sObject[]): string[] {
  const out: string[] = [];
  for (const template of templates) {
    const worker = template.spec.containers.find(
      (container) => isBerthImage(container.image) && container.args?.[0] === 'worker',
    );
    if (!worker) continue;
    const graceMs = Number(
      resolveEnv(worker, objects, 'BERTH_WORKER_SHUTDOWN_GRACE_MS') ?? DEFAULT_WORKER_SHUTDOWN_GRACE_MS,
    );
    const podGraceMs =
      (template.spec.terminationGracePeriodSeconds ?? DEFAULT_TERMINATION_GRACE_SECONDS) * 1000;
    if (!(podGraceMs > graceMs)) {
      out.push(
        `${objectName(template.owner)}: terminationGracePeriodSeconds (${podGraceMs / 1000} s) does not exceed ` +
          `BERTH_WORKER_SHUTDOWN_GRACE_MS (${graceMs} ms): running steps would be killed mid-way`,
      );
    }
  }
  return out;
}

interface IpBlock {
  cidr: string;
  except?: string[];
}

/** Whether CIDR `outer` contains CIDR `inner` (false across address families). */
export function cidrContains(outer: string, inner: string): boolean {
  const [outerAddress, outerBits] = ipaddr.parseCIDR(outer);
  const [innerAddress, innerBits] = ipaddr.parseCIDR(inner);
  if (outerAddress.kind() !== innerAddress.kind() || outerBits > innerBits) return false;
  return (innerAddress as ipaddr.IPv4).match(outerAddress as ipaddr.IPv4, outerBits);
}

/**
 * Egress rules through which a pod could reach the cloud metadata endpoint: a rule with no
 * destination list (every address), a block inside link-local, or one containing it without
 * excepting it.
 */
export function egressToLinkLocal(objects: readonly K8sObject[]): string[] {
  const out: string[] = [];
  for (const policy of objects.filter((object) => object.kind === 'NetworkPolicy')) {
    const egress = (policy as { spec?: { egress?: { to?: { ipBlock?: IpBlock }[] }[] } }).spec?.egress ?? [];
    for (const [index, rule] of egress.entries()) {
      const at = `${objectName(policy)} egress[${index}]`;
      if (!rule.to?.length) out.push(`${at}: no destination list, so every address is allowed`);
      for (const block of (rule.to ?? []).flatMap((peer) => (peer.ipBlock ? [peer.ipBlock] : []))) {
        for (const linkLocal of LINK_LOCAL) {
          if (cidrContains(linkLocal, block.cidr)) out.push(`${at}: ${block.cidr} is link-local`);
          const excepted = (block.except ?? []).some((except) => cidrContains(except, linkLocal));
          if (cidrContains(block.cidr, linkLocal) && !excepted) {
            out.push(`${at}: ${block.cidr} includes ${linkLocal} without excepting it`);
          }
        }
      }
    }
  }
  return out;
}

function namespaceViolations(objects: readonly K8sObject[]): string[] {
  return objects
    .filter((object) => object.kind === 'Namespace')
    .filter((object) => object.metadata.labels?.['pod-security.kubernetes.io/enforce'] !== 'restricted')
    .map((object) => `${objectName(object)}: not labelled pod-security.kubernetes.io/enforce=restricted`);
}

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
