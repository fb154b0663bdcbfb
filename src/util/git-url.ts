// Git's URL forms, and where a plugin or repo URL is fetched from: the URL
// itself, or the absolute path of a local repository or directory. The one
// reading of "is this a path?" that every place turning a URL from
// local.conf or the lock into a git location uses. Which URLs are allowed
// is plugins/spec.ts's rule, not this module's. Leaf module.
import { isAbsolute, resolve } from "node:path";

/** Scheme spellings git treats as another transport. */
const TRANSPORT_ALIASES: Record<string, string> = { "git+ssh": "ssh", "ssh+git": "ssh" };

export type UrlForm =
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
export function splitUrl(url: string): UrlForm {
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
    return { form: "url", scheme, transport: TRANSPORT_ALIASES[scheme] ?? scheme, user, host, port, path: full[3]! };
  }
  // git: "a colon before any slash" is the scp-like ssh syntax, [user@]host:path
  const colon = url.indexOf(":");
  const slash = url.indexOf("/");
  if (colon > 0 && (slash < 0 || colon < slash)) return { form: "scp", ...splitUser(url.slice(0, colon)), path: url.slice(colon + 1) };
  return { form: "path" };
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

/** Where git fetches `url` from: the URL itself, or the absolute path of a local one (relative to `baseDir`). */
export function locationOf(url: string, baseDir: string): string {
  const k = classifyUrl(url, baseDir);
  return k.kind === "remote" ? k.url : k.path;
}
