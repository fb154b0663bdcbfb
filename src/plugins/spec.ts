// What an `enable_plugin NAME URL [REF]` line may contain (CONTRACT 3, 11).
// Pure: names, URLs and refs are checked here and nowhere else.
import { isAbsolute, resolve } from "node:path";
import { ConfigError } from "../errors.ts";
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

// eslint-disable-next-line no-control-regex
const CONTROL = /[\x00-\x1f\x7f]/;

/** Longest plugin name: a directory name under $DEST, with room for suffixes. */
export const MAX_PLUGIN_NAME = 100;

/** null when `name` can be a directory under $DEST, else why not. The one rule for plugin names. */
export function validatePluginName(name: string): string | null {
  if (name === "") return "the plugin name is empty";
  if (name.length > MAX_PLUGIN_NAME) return `"${name.slice(0, 40)}..." is ${name.length} characters long; at most ${MAX_PLUGIN_NAME} are allowed`;
  if (name === "." || name === "..") return `"${name}" is not a usable directory name`;
  if (!/^[A-Za-z0-9._-]+$/.test(name)) return `"${name}" may only contain letters, digits, ".", "_" and "-"`;
  if (name.startsWith("-")) return `"${name}" must not start with "-"`;
  return null;
}

type UrlForm =
  | { form: "url"; scheme: string; transport: string; user: string; host: string; port: string; path: string }
  | { form: "scp"; user: string; host: string; path: string }
  | { form: "transport"; transport: string }
  | { form: "path" };

/** `[user@]host` split at its last "@": user keeps the "@" ("" when there is none). */
function splitUser(authority: string): { user: string; host: string } {
  const at = authority.lastIndexOf("@");
  return at >= 0 ? { user: authority.slice(0, at + 1), host: authority.slice(at + 1) } : { user: "", host: authority };
}

/** How git itself would read `url` (URL, scp-like, `<transport>::<address>` or a local path). */
function splitUrl(url: string): UrlForm {
  const transport = /^([A-Za-z][A-Za-z0-9+.-]*)::/.exec(url);
  if (transport) return { form: "transport", transport: transport[1]! };
  const full = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/]*)(.*)$/.exec(url);
  if (full) {
    const scheme = full[1]!.toLowerCase();
    const { user, host: hostPort } = splitUser(full[2]!);
    // [v6]:port or name:port
    const portMatch = /^(\[[^\]]*\]|[^:]*)(?::(\d*))?$/.exec(hostPort);
    const host = portMatch ? portMatch[1]! : hostPort;
    const port = portMatch?.[2] ?? "";
    return { form: "url", scheme, transport: ALLOWED_SCHEMES[scheme] ?? scheme, user, host, port, path: full[3]! };
  }
  // git: "a colon before any slash" is the scp-like ssh syntax, [user@]host:path
  const colon = url.indexOf(":");
  const slash = url.indexOf("/");
  if (colon > 0 && (slash < 0 || colon < slash)) return { form: "scp", ...splitUser(url.slice(0, colon)), path: url.slice(colon + 1) };
  return { form: "path" };
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
      if (!ALLOWED_SCHEMES[parts.scheme])
        return `URL "${url}" uses the "${parts.scheme}" scheme; only https, http, ssh, git, file and local paths are allowed`;
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

export type UrlKind = { kind: "remote"; url: string } | { kind: "local"; path: string };

/**
 * A remote git URL (fetched through the cache) or a local path (resolved
 * against `baseDir`, the directory of local.conf). file:// URLs are remote:
 * they name a git repository and go through git like any other transport.
 */
export function classifyUrl(url: string, baseDir: string): UrlKind {
  const parts = splitUrl(url);
  if (parts.form === "path") return { kind: "local", path: isAbsolute(url) ? resolve(url) : resolve(baseDir, url) };
  return { kind: "remote", url };
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

/** A whole object name: 40 hex digits (SHA-1) or 64 (SHA-256). */
export function isFullSha(value: string): boolean {
  return /^(?:[0-9a-fA-F]{40}|[0-9a-fA-F]{64})$/.test(value);
}

/** Throws ConfigError (file:line of the enable_plugin call) when any part of `spec` is unusable. */
export function checkPluginSpec(spec: PluginSpec): void {
  const refuse = (message: string, hint: string): never => {
    throw new ConfigError(message, spec.file, spec.line, hint);
  };
  const name = validatePluginName(spec.name);
  if (name) refuse(`invalid plugin name: ${name}`, `plugin names become directories under $DEST: use at most ${MAX_PLUGIN_NAME} letters, digits, '.', '_' and '-'`);
  const url = validatePluginUrl(spec.url);
  if (url) refuse(`invalid URL for plugin ${spec.name}: ${url}`, "use an https://, http://, ssh://, git:// or file:// URL, user@host:path, or a local directory path");
  const ref = validateRef(spec.ref);
  if (ref) refuse(`invalid ref for plugin ${spec.name}: ${ref}`, "give a branch, tag or commit SHA as the third enable_plugin argument (or none, for master)");
}
