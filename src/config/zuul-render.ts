// local.conf from DevStack's Zuul job variables (devstack_localrc,
// devstack_local_conf, devstack_plugins, devstack_services,
// devstack_base_services), written as DevStack's write-devstack-local-conf
// role writes it, so job definitions carry over to plugstack's playbooks.
// Pure: the caller reads the vars file and the plugins' settings texts.
import { ConfigError } from "../errors.ts";

type Scalar = string | number | boolean | null;

export interface ZuulVars {
  localrc?: Record<string, Scalar>;
  /** phase -> file -> section -> key -> value */
  localConf?: Record<string, Record<string, Record<string, Record<string, Scalar>>>>;
  /** name -> URL; an empty value means "not enabled" */
  plugins?: Record<string, Scalar>;
  /** name -> bool; the key `base` says whether the base services stay */
  services?: Record<string, Scalar>;
  baseServices?: string[];
  baseDir?: string;
}

/** The Ansible variable each field comes from. */
const VAR_NAMES = {
  localrc: "devstack_localrc",
  localConf: "devstack_local_conf",
  plugins: "devstack_plugins",
  services: "devstack_services",
  baseServices: "devstack_base_services",
  baseDir: "devstack_base_dir",
} as const;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** A value as Python's str() writes it, for the scalars JSON has (a whole-number float reads back as an integer). */
function pyStr(v: Scalar): string {
  if (v === null) return "None";
  if (v === true) return "True";
  if (v === false) return "False";
  return String(v);
}

/** Python's truthiness for the values JSON has. */
const pyTruthy = (v: unknown): boolean =>
  !(
    v === null ||
    v === undefined ||
    v === false ||
    v === 0 ||
    v === "" ||
    (Array.isArray(v) && v.length === 0) ||
    (isObject(v) && Object.keys(v).length === 0)
  );

function scalars(file: string, where: string, v: unknown): Record<string, Scalar> {
  if (!isObject(v)) throw new ConfigError(`${where} must be a mapping of names to values`, file, undefined, `write it as ${where}: {NAME: value}`);
  for (const [k, x] of Object.entries(v)) {
    if (isObject(x) || Array.isArray(x))
      throw new ConfigError(
        `${where}.${k} is a ${Array.isArray(x) ? "list" : "mapping"}; only strings, numbers and booleans can be written to local.conf`,
        file,
        undefined,
        "quote the value as one string",
      );
  }
  return v as Record<string, Scalar>;
}

/** Checks the parsed vars file; `file` names it in errors. Keys that are not DevStack's are ignored. */
export function parseZuulVars(value: unknown, file: string): ZuulVars {
  if (!isObject(value))
    throw new ConfigError("the variables file must hold one JSON object", file, undefined, 'e.g. {"devstack_localrc": {"ADMIN_PASSWORD": "secret"}}');
  const out: ZuulVars = {};
  const get = (k: keyof typeof VAR_NAMES) => value[VAR_NAMES[k]];
  if (get("localrc") != null) out.localrc = scalars(file, VAR_NAMES.localrc, get("localrc"));
  if (get("plugins") != null) out.plugins = scalars(file, VAR_NAMES.plugins, get("plugins"));
  if (get("services") != null) out.services = scalars(file, VAR_NAMES.services, get("services"));
  const base = get("baseServices");
  if (base != null) {
    if (!Array.isArray(base) || base.some((s) => typeof s !== "string"))
      throw new ConfigError(`${VAR_NAMES.baseServices} must be a list of service names`, file, undefined, "e.g. [key, mysql, rabbit]");
    out.baseServices = base as string[];
  }
  const dir = get("baseDir");
  if (dir != null) {
    if (typeof dir !== "string") throw new ConfigError(`${VAR_NAMES.baseDir} must be a path`, file, undefined, "e.g. /opt/stack");
    out.baseDir = dir;
  }
  const lc = get("localConf");
  if (lc != null) {
    const where = VAR_NAMES.localConf;
    if (!isObject(lc))
      throw new ConfigError(`${where} must map phases to files`, file, undefined, `e.g. ${where}: {post-config: {$NOVA_CONF: {DEFAULT: {debug: true}}}}`);
    out.localConf = {};
    for (const [phase, files] of Object.entries(lc)) {
      if (!isObject(files))
        throw new ConfigError(`${where}.${phase} must map files to sections`, file, undefined, `e.g. ${phase}: {$NOVA_CONF: {DEFAULT: {debug: true}}}`);
      const byFile: Record<string, Record<string, Record<string, Scalar>>> = {};
      for (const [fn, sections] of Object.entries(files)) {
        if (!isObject(sections)) throw new ConfigError(`${where}.${phase}.${fn} must map sections to keys`, file, undefined, "e.g. {DEFAULT: {debug: true}}");
        byFile[fn] = Object.fromEntries(Object.entries(sections).map(([s, kv]) => [s, scalars(file, `${where}.${phase}.${fn}.${s}`, kv)]));
      }
      out.localConf[phase] = byFile;
    }
  }
  return out;
}

/**
 * The plugin_requires of each plugin as DevStack's role reads a settings
 * file: `define_plugin NAME` and `plugin_requires NAME OTHER` at the start
 * of a line, counted only after that plugin's define_plugin line.
 */
function scanRoleSettings(text: string): { name: string; requires: string[] } | null {
  let name: string | null = null;
  const requires = new Set<string>();
  for (const line of text.split("\n")) {
    const def = /^define_plugin\s+(\S+)/.exec(line);
    if (def) name = def[1]!;
    const req = /^plugin_requires\s+(\S+)\s+(\S+)/.exec(line);
    if (req && req[1] === name) requires.add(req[2]!);
  }
  return name && requires.size ? { name, requires: [...requires] } : null;
}

/** Variables a localrc value uses, as DevStack's role finds them: `$NAME` or `${NAME`. */
function usedVariables(value: string): string[] {
  return [...value.matchAll(/\$\{?([\p{L}\p{N}_]+)/gu)].map((m) => m[1]!);
}

/**
 * Names in dependency order: each name after the names it depends on
 * (recursively), otherwise in sorted order. DevStack's role walks the same
 * graph; where a name depends on several, it takes them in Python's set
 * order, plugstack in sorted order.
 */
function dependencyOrder(names: string[], deps: (name: string) => string[], what: string, file: string, hint: string): string[] {
  const out: string[] = [];
  const done = new Set<string>();
  const visiting: string[] = [];
  const visit = (n: string) => {
    if (done.has(n)) return;
    if (visiting.includes(n))
      throw new ConfigError(`${what} depend on each other in a cycle: ${[...visiting.slice(visiting.indexOf(n)), n].join(" -> ")}`, file, undefined, hint);
    visiting.push(n);
    for (const d of [...new Set(deps(n))].sort()) visit(d);
    visiting.pop();
    done.add(n);
    out.push(n);
  };
  for (const n of [...names].sort()) visit(n);
  return out;
}

function localrcLines(vars: ZuulVars, file: string, settings: readonly string[]): string[] {
  const lines: string[] = [];
  if (pyTruthy(vars.services) || pyTruthy(vars.baseServices)) {
    const services = { ...(vars.services ?? {}) };
    const base = "base" in services ? services.base : true;
    delete services.base;
    if (pyTruthy(base) && pyTruthy(vars.baseServices)) lines.push(`ENABLED_SERVICES=${vars.baseServices!.join(",")}`);
    else lines.push("disable_all_services");
    for (const [name, on] of Object.entries(services)) {
      if (on === false) lines.push(`disable_service ${name}`);
      else if (on === true) lines.push(`enable_service ${name}`);
    }
  }
  const localrc = vars.localrc ?? {};
  const keys = Object.keys(localrc);
  const values = new Map(keys.map((k) => [k, pyStr(localrc[k]!)]));
  const varOrder = dependencyOrder(
    keys,
    (k) => usedVariables(values.get(k)!).filter((d) => d !== k && values.has(d)),
    `${VAR_NAMES.localrc} values`,
    file,
    "a value may use its own variable, but two values cannot use each other",
  );
  for (const k of varOrder) {
    const v = values.get(k)!;
    lines.push(v.startsWith('"') ? `${k}=${v}` : `${k}="${v}"`);
  }
  // plugins come last, so the lines above (DEST, ...) apply to them
  const plugins = vars.plugins ?? {};
  const requires = new Map<string, string[]>();
  for (const text of settings) {
    const scan = scanRoleSettings(text);
    if (scan) requires.set(scan.name, scan.requires);
  }
  for (const [name, reqs] of requires) {
    if (!(name in plugins)) continue;
    for (const r of reqs) {
      if (!(r in plugins) && r !== name)
        throw new ConfigError(
          `plugin ${name} requires ${r} (plugin_requires in its settings), but ${VAR_NAMES.plugins} has no ${r}`,
          file,
          undefined,
          `add ${r}: <its git URL> to ${VAR_NAMES.plugins}`,
        );
    }
  }
  const pluginOrder = dependencyOrder(
    Object.keys(plugins),
    (n) => (requires.get(n) ?? []).filter((d) => d !== n),
    "plugins (plugin_requires)",
    file,
    "remove one of the plugin_requires lines",
  );
  for (const name of pluginOrder) {
    const url = plugins[name];
    if (url !== null && url !== undefined && pyStr(url) !== "") lines.push(`enable_plugin ${name} ${pyStr(url)}`);
  }
  return lines;
}

/**
 * local.conf text for the vars: `[[local|localrc]]` with the services, the
 * localrc values (a value after the values it uses) and the enable_plugin
 * lines (in plugin_requires order, learnt from `settings`: the texts of the
 * plugins' devstack/settings files), then one `[[phase|file]]` block per
 * devstack_local_conf entry.
 */
export function renderZuulLocalConf(vars: ZuulVars, file: string, settings: readonly string[] = []): string {
  let text = `[[local|localrc]]\n${localrcLines(vars, file, settings).join("\n")}\n\n`;
  for (const [phase, files] of Object.entries(vars.localConf ?? {})) {
    for (const [fn, sections] of Object.entries(files)) {
      const lines: string[] = [];
      for (const [section, kv] of Object.entries(sections)) {
        lines.push(`[${section}]`, ...Object.entries(kv).map(([k, v]) => `${k} = ${pyStr(v)}`), "");
      }
      text += `[[${phase}|${fn}]]\n${lines.join("\n")}`;
    }
  }
  return text;
}
