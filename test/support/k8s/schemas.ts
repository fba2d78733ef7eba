// The schema catalogue of src/modules/deploy/validate over this checkout's node_modules.
import type { K8sObject } from '../../../src/modules/deploy/validate/index.js';
import { schemaCatalog } from '../../../src/modules/deploy/validate/index.js';
import { ROOT } from './render.js';

const catalog = schemaCatalog(ROOT);
if (!catalog.ok) throw new Error(`the schema packages are missing (npm ci): ${catalog.error.join(', ')}`);
const { errors, allErrors } = catalog.value;

/** Problems with one object, as `Kind/name: /path message` lines; empty when it matches its schema. */
export const schemaErrors = (object: K8sObject): string[] => errors(object);
/** Problems with every object; empty when all match their schemas. */
export const allSchemaErrors = (objects: readonly K8sObject[]): string[] => allErrors(objects);
