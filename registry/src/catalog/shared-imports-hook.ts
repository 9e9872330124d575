/**
 * A Node module-resolution hook (runs in the loader thread, registered by shared-imports.ts). Imports
 * of anneal's shared packages (`@anneal/*`, `@tensorflow/tfjs-core`, `@tensorflow/tfjs`, and their
 * subpaths) from a file outside anneal's tree resolve as if anneal itself imported them: a plugin in a
 * directory of its own sees anneal's one copy of core and tfjs (a second tfjs copy is a second engine
 * with its own registries). Imports from inside anneal's tree are left alone.
 */

export interface SharedImportsData {
  /** file: URL of the directory holding anneal's packages (ends with '/'). */
  readonly rootURL: string;
  /** file: URLs to resolve shared specifiers from, tried in order (anneal's registry, then core). */
  readonly anchorURLs: readonly string[];
  /** Package names whose imports are shared; a name ending in '/' is a scope ('@anneal/'). */
  readonly packages: readonly string[];
}

interface ResolveContext {
  readonly parentURL?: string;
  readonly conditions: readonly string[];
  readonly importAttributes?: Record<string, string>;
}
type NextResolve = (specifier: string, context?: Partial<ResolveContext>) => Promise<{ url: string; format?: string | null }>;

let data: SharedImportsData | undefined;

export function initialize(d: SharedImportsData): void {
  data = d;
}

function isShared(specifier: string, packages: readonly string[]): boolean {
  return packages.some((p) => (p.endsWith('/') ? specifier.startsWith(p) : specifier === p || specifier.startsWith(`${p}/`)));
}

export async function resolve(specifier: string, context: ResolveContext, nextResolve: NextResolve): Promise<{ url: string; format?: string | null }> {
  const parent = context.parentURL;
  if (!data || !parent?.startsWith('file:') || parent.startsWith(data.rootURL) || !isShared(specifier, data.packages)) {
    return nextResolve(specifier, context);
  }
  let firstError: unknown;
  for (const anchor of data.anchorURLs) {
    try {
      return await nextResolve(specifier, { ...context, parentURL: anchor });
    } catch (error) {
      firstError ??= error;
    }
  }
  // Not one of anneal's packages after all (e.g. an @anneal/* name anneal does not ship): resolve normally.
  try {
    return await nextResolve(specifier, context);
  } catch {
    throw firstError;
  }
}
