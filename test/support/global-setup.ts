import { ensurePgliteTemplate } from '../../src/platform/db/index.js';
import { PGLITE_TEMPLATE } from './paths.js';

// Every embedded store in the tests starts from one template instead of running initdb each time.
export default async function setup() {
  await ensurePgliteTemplate(PGLITE_TEMPLATE);
}
