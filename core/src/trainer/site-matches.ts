/** "hidden/*" matches "hidden/3"; exact names match themselves. */
export function siteMatches(pattern: string, site: string): boolean {
  if (!pattern.includes('*')) return pattern === site;
  const re = new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
  return re.test(site);
}
