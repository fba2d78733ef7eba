import type { Instrumentation, InstrumentationModuleDefinition } from '@opentelemetry/instrumentation';

/**
 * The production build is one esbuild bundle: pg, pg-pool and ioredis are inside it, never `require`d
 * from node_modules, so the instrumentations' require and import hooks never see them. scripts/build.ts
 * appends a line to each of those packages' entry files that hands its exports over here (see
 * `bundledModuleHook`); this applies the same patch the require hook would have. From source (tsx, tests)
 * nothing is handed over and the hooks do the work.
 */
const KEY = Symbol.for('berth.otel.bundled-modules');

interface BundledModule {
  name: string;
  version: string;
  exports: unknown;
}

interface Registry {
  loaded: BundledModule[];
  patch?: (module: BundledModule) => void;
}

const registry = (): Registry => {
  const holder = globalThis as { [KEY]?: Registry };
  holder[KEY] ??= { loaded: [] };
  return holder[KEY];
};

/** The line scripts/build.ts appends to a bundled CommonJS entry file (`module.exports` is final there). */
export function bundledModuleHook(name: string, version: string): string {
  const key = 'Symbol.for("berth.otel.bundled-modules")';
  const entry = `{ name: ${JSON.stringify(name)}, version: ${JSON.stringify(version)}, exports: module.exports }`;
  return `\n;((r) => { r.loaded.push(${entry}); r.patch?.(r.loaded.at(-1)); })(globalThis[${key}] ??= { loaded: [] });\n`;
}

/** Applies the instrumentations' patches to the bundled modules loaded so far and to those loaded later. */
export function patchBundledModules(instrumentations: Instrumentation[]): void {
  const patch = (module: BundledModule) => {
    for (const instrumentation of instrumentations) {
      const definitions = (
        instrumentation as { getModuleDefinitions?: () => InstrumentationModuleDefinition[] }
      ).getModuleDefinitions?.();
      for (const definition of definitions ?? []) {
        if (definition.name !== module.name || typeof definition.patch !== 'function') continue;
        definition.moduleExports = module.exports;
        definition.moduleVersion = module.version;
        definition.patch(module.exports, module.version);
      }
    }
  };
  const state = registry();
  state.patch = patch;
  for (const module of state.loaded) patch(module);
}
