import { ensurePgliteTemplate } from '../../src/platform/db/index.js';
import { PGLITE_TEMPLATE } from './paths.js';
import { ensureWebBuild } from './web-build.js';

// Every embedded store in the tests starts from one template instead of running initdb each time.
// The UI tests (and the server they start) need the built UI; built once here so test files never race on it.
export default async function setup() {
  await Promise.all([ensurePgliteTemplate(PGLITE_TEMPLATE), ensureWebBuild()]);
}
