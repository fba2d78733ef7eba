// Berth's own rules for its pods, beyond Pod Security: pinned images, requests and limits, probes, no
// service-account token, one image for every role, a worker grace the pod outlives, no secret in a ConfigMap.
import { type Container, type K8sObject, objectName, type PodTemplate } from './k8s-objects.js';
import { allContainers } from './pod-security.js';

const DEFAULT_TERMINATION_GRACE_SECONDS = 30;
const DEFAULT_WORKER_SHUTDOWN_GRACE_MS = 20_000;
// TOKENS at the end is a count (BERTH_TENANT_DAILY_TOKENS, a budget), not a token.
const SECRET_KEY = /pass(word)?|secret|token(?!s$)|api[_-]?key|credential|(private|signing)[_-]?key/i;
const PRIVATE_KEY_PEM = /-----BEGIN [A-Z ]*PRIVATE KEY-----/;
const URL_WITH_PASSWORD = /[a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:[^/\s@]+@/i;

const isJob = (owner: K8sObject) => owner.kind === 'Job' || owner.kind === 'CronJob';
const isBerthImage = (image: string | undefined) => /(^|\/)berth(:|@|$)/.test(image ?? '');

/** Images, requests and limits, probes and the service-account token of one pod template. */
export function containerViolations(template: PodTemplate): string[] {
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

/** ConfigMap keys that look like secrets, and values that are URLs with a password. */
export function configMapViolations(objects: readonly K8sObject[]): string[] {
  const out: string[] = [];
  for (const object of objects) {
    if (object.kind !== 'ConfigMap') continue;
    const data = (object as { data?: Record<string, string> }).data ?? {};
    for (const [key, value] of Object.entries(data)) {
      if (SECRET_KEY.test(key) && String(value).trim() !== '') {
        out.push(`${objectName(object)}: key ${key} looks like a secret (put it in a Secret)`);
      }
      if (PRIVATE_KEY_PEM.test(String(value))) {
        out.push(`${objectName(object)}: key ${key} holds a private key (put it in a Secret)`);
      }
      if (URL_WITH_PASSWORD.test(String(value))) {
        out.push(`${objectName(object)}: key ${key} holds a URL with a password (put it in a Secret)`);
      }
    }
  }
  return out;
}

/** Every Berth container runs the same image (a role on another version would run another schema). */
export function sameBerthImage(templates: readonly PodTemplate[]): string[] {
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

/** A worker pod must outlive BERTH_WORKER_SHUTDOWN_GRACE_MS, or SIGKILL cuts running steps. */
export function workerGraceViolations(
  templates: readonly PodTemplate[],
  objects: readonly K8sObject[],
): string[] {
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
