// Plugin run order (CONTRACT 4 step 4): enable_plugin order, checked against
// the define_plugin / plugin_requires lines of each plugin's settings file.
// Pure: requirements.ts reads the settings files and hands their text here.
import { OrderError } from "../errors.ts";

export interface SettingsRequirement {
  /** first argument of plugin_requires: the requiring plugin (define_plugin or enable_plugin name) */
  plugin: string;
  /** second argument: the plugin it needs */
  required: string;
  /** 1-based line in the settings file */
  line: number;
}

export interface SettingsScan {
  defines: string[];
  /** each define_plugin line: name and 1-based line */
  defineLines: { name: string; line: number }[];
  requires: SettingsRequirement[];
}

export interface PluginRequirement extends SettingsRequirement {
  /** the settings file the line is in */
  file?: string;
  /** enable_plugin name of the plugin whose settings file holds the line */
  from?: string;
}

export interface OrderPlugin {
  name: string;
  /** 0-based enable_plugin position */
  order: number;
  /** define_plugin names this plugin's settings declare, when known */
  defines?: string[];
}

export interface RunOrder {
  order: string[];
  warnings: string[];
}

export interface RunOrderOptions {
  /** URLs for plugins that are not enabled, e.g. from GITREPO, for the hint that shows the line to add */
  knownUrls?: Record<string, string>;
}

const NAME = /^[A-Za-z0-9._-]+$/;
/** words that may come before a command on the same line: `if x; then plugin_requires a b; fi` */
const LEADING_KEYWORDS = new Set(["then", "else", "do", "{", "(", "!"]);

function unquote(token: string): string {
  if (token.length >= 2 && (token[0] === '"' || token[0] === "'") && token.endsWith(token[0]!)) return token.slice(1, -1);
  return token;
}

/** Where an unquoted `#` starts a comment: at the start or after whitespace. */
function stripComment(text: string): string {
  for (let i = 0; i < text.length; i++) if (text[i] === "#" && (i === 0 || /\s/.test(text[i - 1]!))) return text.slice(0, i);
  return text;
}

/**
 * Reads `define_plugin NAME` and `plugin_requires NAME OTHER` commands from
 * settings text without running it. Comments are ignored; arguments that
 * need bash to expand ($VAR, `cmd`) cannot be known statically and are skipped.
 */
export function scanSettings(text: string): SettingsScan {
  const scan: SettingsScan = { defines: [], defineLines: [], requires: [] };
  text.split("\n").forEach((raw, i) => {
    for (const command of stripComment(raw).split(/;|&&|\|\|/)) {
      const words = command.trim().split(/\s+/).map(unquote);
      while (words.length > 0 && LEADING_KEYWORDS.has(words[0]!)) words.shift();
      const [verb, a, b] = words;
      if (verb === "define_plugin" && a && NAME.test(a)) {
        scan.defines.push(a);
        scan.defineLines.push({ name: a, line: i + 1 });
      } else if (verb === "plugin_requires" && a && b && NAME.test(a) && NAME.test(b)) scan.requires.push({ plugin: a, required: b, line: i + 1 });
    }
  });
  return scan;
}

function defaultUrl(name: string): string {
  return `https://opendev.org/openstack/${name}`;
}

interface Edge {
  dependant: string;
  required: string;
  req: PluginRequirement;
}

function where(req: PluginRequirement): string {
  return req.file ? ` (plugin_requires at ${req.file}:${req.line})` : "";
}

/** Edges dependant -> required between enabled plugins; a required plugin that is not enabled throws. */
function buildEdges(plugins: OrderPlugin[], requires: PluginRequirement[], opts: RunOrderOptions): Edge[] {
  const alias = new Map<string, string>();
  for (const p of plugins) alias.set(p.name, p.name);
  for (const p of plugins) for (const d of p.defines ?? []) if (!alias.has(d)) alias.set(d, p.name);
  const edges: Edge[] = [];
  const seen = new Set<string>();
  const missing: { req: PluginRequirement; dependant: string }[] = [];
  for (const req of requires) {
    const dependant = alias.get(req.plugin) ?? (req.from && alias.has(req.from) ? alias.get(req.from) : undefined);
    if (!dependant) continue; // a requirement of a plugin that is not enabled
    const required = alias.get(req.required);
    if (!required) {
      missing.push({ req, dependant });
      continue;
    }
    const id = `${dependant}\u0000${required}`;
    if (required === dependant || seen.has(id)) continue;
    seen.add(id);
    edges.push({ dependant, required, req });
  }
  if (missing.length > 0) {
    const lines = missing.map(({ req, dependant }) => `plugin ${req.required} is required by ${dependant}${where(req)} but is not enabled`);
    const adds = [...new Set(missing.map(({ req }) => req.required))].map((name) => {
      const known = opts.knownUrls?.[name];
      return `enable_plugin ${name} ${known ?? defaultUrl(name)}${known ? "" : "   (URL assumed from GIT_BASE; change it if the plugin lives elsewhere)"}`;
    });
    throw new OrderError(lines.join("\n"), `add to the [[local|localrc]] block of local.conf:\n  ${adds.join("\n  ")}`);
  }
  return edges;
}

/**
 * A stable topological order: plugins in declared order, each preceded by
 * what it requires (pulled forward in declared order). Returns the cycle
 * instead when there is one.
 */
function sortByRequires(declared: string[], edges: Edge[]): { order: string[] } | { cycle: string[] } {
  const position = new Map(declared.map((n, i) => [n, i]));
  const deps = new Map<string, string[]>(declared.map((n) => [n, []]));
  for (const e of edges) deps.get(e.dependant)!.push(e.required);
  for (const list of deps.values()) list.sort((x, y) => position.get(x)! - position.get(y)!);
  const out: string[] = [];
  const done = new Set<string>();
  const stack: string[] = [];
  const visit = (n: string): string[] | undefined => {
    if (done.has(n)) return undefined;
    const at = stack.indexOf(n);
    if (at >= 0) return [...stack.slice(at), n];
    stack.push(n);
    for (const d of deps.get(n) ?? []) {
      const cycle = visit(d);
      if (cycle) return cycle;
    }
    stack.pop();
    done.add(n);
    out.push(n);
    return undefined;
  };
  for (const n of declared) {
    const cycle = visit(n);
    if (cycle) return { cycle };
  }
  return { order: out };
}

function describeCycle(cycle: string[]): string {
  return `plugins require each other in a cycle: ${cycle.join(" -> ")}`;
}

/**
 * Run order. "declared" keeps enable_plugin order (what plugins rely on) and
 * warns, showing the fixed order, about every dependency enabled after its
 * dependant; "requires" applies that fixed order. A required plugin that is
 * not enabled is an OrderError in both modes; a cycle is one in "requires"
 * mode and a warning in "declared" mode (DevStack itself ignores plugin_requires).
 */
export function resolveRunOrder(plugins: OrderPlugin[], requires: PluginRequirement[], mode: "declared" | "requires", opts: RunOrderOptions = {}): RunOrder {
  const declared = [...plugins].sort((a, b) => a.order - b.order).map((p) => p.name);
  const edges = buildEdges(plugins, requires, opts);
  const sorted = sortByRequires(declared, edges);
  if ("cycle" in sorted) {
    if (mode === "requires")
      throw new OrderError(describeCycle(sorted.cycle), "remove one of the plugin_requires lines in the cycle, or run without --order requires");
    return { order: declared, warnings: [`${describeCycle(sorted.cycle)}; keeping enable_plugin order`] };
  }
  if (mode === "requires") return { order: sorted.order, warnings: [] };
  const position = new Map(declared.map((n, i) => [n, i]));
  const warnings = edges
    .filter((e) => position.get(e.required)! > position.get(e.dependant)!)
    .map(
      (e) =>
        `plugin ${e.required} is enabled after ${e.dependant}, which requires it${where(e.req)}; ` +
        `plugins run in enable_plugin order, so ${e.dependant}'s hooks run first. ` +
        `Fixed order: ${sorted.order.join(", ")} (move the enable_plugin lines, or pass --order requires)`,
    );
  return { order: declared, warnings };
}

/**
 * Resolves define_plugin names to enable_plugin names across all scanned
 * plugins, so that requirements name the enabled plugins where they can.
 */
export function resolveRequirementNames(scans: { name: string; file?: string; scan: Pick<SettingsScan, "defines" | "requires"> }[]): PluginRequirement[] {
  const alias = new Map<string, string>();
  for (const s of scans) alias.set(s.name, s.name);
  for (const s of scans) for (const d of s.scan.defines) if (!alias.has(d)) alias.set(d, s.name);
  return scans.flatMap((s) =>
    s.scan.requires.map((r) => ({
      plugin: alias.get(r.plugin) ?? r.plugin,
      required: alias.get(r.required) ?? r.required,
      line: r.line,
      file: s.file,
      from: s.name,
    })),
  );
}
