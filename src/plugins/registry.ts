// DevStack's plugin registry, embedded (registry.generated.ts; regenerate with
// scripts/gen-registry.ts). Pure: lookups and search over the table.
import { closestWords } from "../util/suggest.ts";
import { REGISTRY_ROWS } from "./registry.generated.ts";

export interface RegistryEntry {
  /** the usual enable_plugin name */
  name: string;
  /** namespace/project on opendev.org */
  project: string;
  url: string;
}

const ENTRIES: readonly RegistryEntry[] = REGISTRY_ROWS.map(([name, project, url]) => ({ name, project, url }));

/** The registry entry for an enable_plugin name (exact, then case-insensitive), or undefined. */
export function lookupPlugin(name: string): RegistryEntry | undefined {
  return ENTRIES.find((e) => e.name === name) ?? ENTRIES.find((e) => e.name.toLowerCase() === name.toLowerCase());
}

/** Registry names that look like a typo of `name`, closest first. */
export function suggestPluginNames(name: string): string[] {
  return closestWords(
    name,
    ENTRIES.map((e) => e.name),
  );
}

export interface SearchResult {
  matches: RegistryEntry[];
  /** when nothing matched: names close to the term */
  suggestions: string[];
}

/**
 * Entries whose name, project or URL contains `term` (case-insensitive):
 * exact name first, then names starting with it, then names containing it,
 * then project/URL matches; alphabetical within each rank.
 */
export function searchRegistry(term: string): SearchResult {
  const t = term.toLowerCase();
  const rank = (e: RegistryEntry): number => {
    const n = e.name.toLowerCase();
    if (n === t) return 0;
    if (n.startsWith(t)) return 1;
    if (n.includes(t)) return 2;
    if (e.project.toLowerCase().includes(t) || e.url.toLowerCase().includes(t)) return 3;
    return -1;
  };
  const matches = ENTRIES.map((e) => ({ e, r: rank(e) }))
    .filter((x) => x.r >= 0)
    .sort((a, b) => a.r - b.r || (a.e.name < b.e.name ? -1 : a.e.name > b.e.name ? 1 : 0))
    .map((x) => x.e);
  return { matches, suggestions: matches.length ? [] : suggestPluginNames(term) };
}
