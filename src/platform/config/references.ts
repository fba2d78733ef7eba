/**
 * `${ENV_NAME}` references in berth.yaml, resolved from the environment at the paths a feature
 * names (and nowhere else: a system prompt may well contain `${…}` as text).
 */

const REFERENCE = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

export interface ReferenceProblem {
  path: PropertyKey[];
  message: string;
}

type Node = Record<PropertyKey, unknown> | unknown[];
const isNode = (value: unknown): value is Node => typeof value === 'object' && value !== null;

function matches(pattern: readonly string[], path: readonly PropertyKey[]): boolean {
  return (
    pattern.length === path.length && pattern.every((part, i) => part === '*' || part === String(path[i]))
  );
}

/**
 * A copy of `raw` with every reference under `patterns` (dotted, `*` for any key or index) replaced
 * by its variable's value. A variable that is unset or empty is a problem naming the key and the
 * variable, never a silent empty secret.
 */
export function resolveReferences(
  raw: unknown,
  patterns: readonly string[],
  env: Record<string, string | undefined>,
): { value: unknown; problems: ReferenceProblem[] } {
  const split = patterns.map((pattern) => pattern.split('.'));
  const problems: ReferenceProblem[] = [];
  const walk = (node: unknown, path: PropertyKey[]): unknown => {
    if (typeof node === 'string') {
      if (!split.some((pattern) => matches(pattern, path))) return node;
      return node.replace(REFERENCE, (_all, name: string) => {
        const value = env[name];
        if (value === undefined || value === '') {
          problems.push({ path, message: `names \${${name}}, which is not set in the environment` });
          return '';
        }
        return value;
      });
    }
    if (!isNode(node)) return node;
    // Only descend where some pattern could still match.
    if (
      !split.some((pattern) => pattern.length > path.length && matches(pattern.slice(0, path.length), path))
    )
      return node;
    if (Array.isArray(node)) return node.map((item, i) => walk(item, [...path, i]));
    return Object.fromEntries(Object.entries(node).map(([key, item]) => [key, walk(item, [...path, key])]));
  };
  return { value: walk(raw, []), problems };
}
