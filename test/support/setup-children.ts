// vitest setupFiles: after every test file, kill the process groups it left running (child-processes.ts).
import { registerChildCleanup } from './child-processes.js';

registerChildCleanup();
