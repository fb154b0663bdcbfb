// What an `enable_plugin NAME URL [REF]` line may contain (CONTRACT 3, 11).
// Pure: names, URLs and refs are checked here and nowhere else.
import { ConfigError } from "../errors.ts";
import { splitUrl } from "../util/git-url.ts";
import { stripCredentials } from "../util/redact.ts";

export interface PluginSpec {
  name: string; // validated [A-Za-z0-9._-]+, not "." or ".."
  url: string; // after bash expansion, as written
  ref: string; // "master" when not given
  refGiven: boolean; // false when enable_plugin had no REF
  order: number; // 0-based position among enable_plugin calls
  file: string; // file the enable_plugin line is in
  line: number; // its line
  base?: boolean; // the DevStack base layer (PLUGSTACK_BASE), not a plugin
}

/** Transports git may use for plugins; everything else (ext::, fd::, ftp...) is refused. */
const ALLOWED_SCHEMES: Record<string, string> = {
  https: "https",
  http: "http",
  ssh: "ssh",
  "git+ssh": "ssh",
  "ssh+git": "ssh",
  git: "git",
  file: "file",
};

const DEFAULT_PORTS: Record<string, string> = { https: "443", http: "80", ssh: "22", git: "9418" };

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it rejects
const CONTROL = /[\x00-\x1f\x7f]/;

/** Longest plugin name: a directory name under $DEST, with room for suffixes. */
const MAX_PLUGIN_NAME = 100;

/** null when `name` can be a directory under $DEST, else why not. The one rule for plugin names. */
export function validatePluginName(name: string): string | null {
  if (name === "") return "the plugin name is empty";
  if (name.length > MAX_PLUGIN_NAME) return `"${name.slice(0, 40)}..." is ${name.length} characters long; at most ${MAX_PLUGIN_NAME} are allowed`;
  if (name === "." || name === "..") return `"${name}" is not a usable directory name`;
  if (!/^[A-Za-z0-9._-]+$/.test(name)) return `"${name}" may only contain letters, digits, ".", "_" and "-"`;
  if (name.startsWith("-")) return `"${name}" must not start with "-"`;
  return null;
}

/** null when git may fetch from `url` under plugstack's protocol allow-list, else why not. */
export function validatePluginUrl(url: string): string | null {
  if (url === "") return "the URL is empty";
  if (url.startsWith("-")) return `URL "${url}" starts with "-" (git would read it as an option)`;
  if (CONTROL.test(url)) return "the URL contains control characters";
  const parts = splitUrl(url);
  switch (parts.form) {
    case "transport":
      return `URL "${url}" uses the "${parts.transport}::" transport; only https, http, ssh, git, file and local paths are allowed`;
    case "url":
      if (!ALLOWED_SCHEMES[parts.scheme]) return `URL "${url}" uses the "${parts.scheme}" scheme; only https, http, ssh, git, file and local paths are allowed`;
      if (parts.host.startsWith("-")) return `URL "${url}" has a host starting with "-"`;
      if (parts.transport !== "file" && parts.host === "") return `URL "${url}" has no host`;
      if (/\s/.test(url)) return `URL "${url}" contains spaces`;
      return null;
    case "scp":
      if (parts.host.startsWith("-") || parts.user.startsWith("-")) return `URL "${url}" has a host starting with "-"`;
      if (parts.host === "") return `URL "${url}" has no host before ":"`;
      if (/\s/.test(parts.host)) return `URL "${url}" has spaces in its host`;
      return null;
    case "path":
      return null;
  }
}

function stripRepoSuffix(path: string): string {
  let p = path;
  for (;;) {
    const next = p.replace(/\/+$/, "").replace(/\.git$/, "");
    if (next === p) return p;
    p = next;
  }
}

/** A cache key form of `url` (credentials dropped): scheme and host lowercased, default ports, trailing "/" and ".git" dropped. */
export function normaliseUrl(url: string): string {
  const parts = splitUrl(stripCredentials(url));
  switch (parts.form) {
    case "url": {
      const scheme = parts.transport === parts.scheme ? parts.scheme : parts.transport;
      const port = parts.port && parts.port !== DEFAULT_PORTS[scheme] ? `:${parts.port}` : "";
      return `${scheme}://${parts.user}${parts.host.toLowerCase()}${port}${stripRepoSuffix(parts.path)}`;
    }
    case "scp":
      return `${parts.user}${parts.host.toLowerCase()}:${stripRepoSuffix(parts.path)}`;
    default:
      return stripRepoSuffix(url) || url;
  }
}

/** null when `ref` is a branch, tag, SHA or refs/... name git accepts, else why not (git check-ref-format). */
export function validateRef(ref: string): string | null {
  if (ref === "") return "the ref is empty";
  if (ref.startsWith("-")) return `ref "${ref}" starts with "-"`;
  if (CONTROL.test(ref)) return `ref "${ref}" contains control characters`;
  const bad = /[ ~^:?*[\\]/.exec(ref);
  if (bad) return `ref "${ref}" contains "${bad[0]}"`;
  if (ref.includes("..")) return `ref "${ref}" contains ".."`;
  if (ref.includes("@{")) return `ref "${ref}" contains "@{"`;
  if (ref === "@") return `ref "@" is not a usable name`;
  if (ref.endsWith("/")) return `ref "${ref}" ends with "/"`;
  if (ref.startsWith("/")) return `ref "${ref}" starts with "/"`;
  if (ref.includes("//")) return `ref "${ref}" contains "//"`;
  if (ref.endsWith(".")) return `ref "${ref}" ends with "."`;
  for (const part of ref.split("/")) {
    if (part.startsWith(".")) return `ref "${ref}" has a component starting with "."`;
    if (part.endsWith(".lock")) return `ref "${ref}" has a component ending with ".lock"`;
  }
  return null;
}

/** Throws ConfigError (file:line of the enable_plugin call) when any part of `spec` is unusable. */
export function checkPluginSpec(spec: PluginSpec): void {
  const refuse = (message: string, hint: string): never => {
    throw new ConfigError(message, spec.file, spec.line, hint);
  };
  const name = validatePluginName(spec.name);
  if (name)
    refuse(`invalid plugin name: ${name}`, `plugin names become directories under $DEST: use at most ${MAX_PLUGIN_NAME} letters, digits, '.', '_' and '-'`);
  const url = validatePluginUrl(spec.url);
  if (url)
    refuse(`invalid URL for plugin ${spec.name}: ${url}`, "use an https://, http://, ssh://, git:// or file:// URL, user@host:path, or a local directory path");
  const ref = validateRef(spec.ref);
  if (ref) refuse(`invalid ref for plugin ${spec.name}: ${ref}`, "give a branch, tag or commit SHA as the third enable_plugin argument (or none, for master)");
}
