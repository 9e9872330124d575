import type { ForwardTransform } from '../plugin/transforms.js';
import type { PlanEntry } from './execution-plan.js';

/** "hidden/*" matches "hidden/3"; exact names match themselves. */
export function siteMatches(pattern: string, site: string): boolean {
  if (!pattern.includes('*')) return pattern === site;
  const re = new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
  return re.test(site);
}

/** The forward transforms attached to each site, in plan order (looked up once per site name). */
export class SiteTransforms {
  private readonly bySite = new Map<string, readonly PlanEntry<ForwardTransform>[]>();

  constructor(private readonly forward: readonly PlanEntry<ForwardTransform>[]) {}

  at(site: string): readonly PlanEntry<ForwardTransform>[] {
    let list = this.bySite.get(site);
    if (!list) {
      list = this.forward.filter((f) => f.instance.sites.some((p) => siteMatches(p, site)));
      this.bySite.set(site, list);
    }
    return list;
  }
}
