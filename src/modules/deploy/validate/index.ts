// Validation of rendered manifests: Kubernetes and CRD schemas, Pod Security "restricted", Berth's pod and
// egress rules, and the kubectl and helm that render them. Used by `berth deploy --dry-run` and test/deploy.
export { cidrContains, egressToLinkLocal } from './egress-rules.js';
export { berthInstallation } from './installation.js';
export {
  type Container,
  type K8sObject,
  objectName,
  type PodSpec,
  type PodTemplate,
  parseManifests,
  podTemplates,
  type SecurityContext,
} from './k8s-objects.js';
export { type K8sTool, type K8sTools, k8sTools, LAYER } from './k8s-tools.js';
export { policyViolations } from './policy.js';
export {
  type HelmRenderOptions,
  lintHelm,
  type RenderPlace,
  renderHelm,
  renderKustomize,
} from './render.js';
export {
  type RenderedInput,
  type RenderedReport,
  type RenderedTarget,
  type RenderedValidator,
  renderedValidator,
} from './rendered-check.js';
export { missingSchemaPackages, SCHEMA_PACKAGES, type SchemaCatalog, schemaCatalog } from './schemas.js';
