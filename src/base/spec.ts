// PLUGSTACK_BASE=URL[@REF] (CONTRACT 12): which DevStack makes the stack
// whole. `--base` wins over localrc, localrc over the environment (localrc is
// evaluated with the environment, so an assignment there replaces it). Pure.
import { ConfigError, UsageError } from "../errors.ts";
import { BASE_NAME } from "../plugins/lockfile.ts";
import { type PluginSpec, validatePluginUrl, validateRef } from "../plugins/spec.ts";

/** DevStack's own repository, what `PLUGSTACK_BASE=devstack` means. */
export const DEVSTACK_URL = "https://opendev.org/openstack/devstack";

export type BaseSource = "flag" | "localrc" | "env";

/** The base, as a spec the plugin machinery resolves, pins and checks out (at $DEST/devstack). */
export interface BaseSpec extends PluginSpec {
  base: true;
  source: BaseSource;
  /** the value as given */
  value: string;
}

/**
 * Split `URL[@REF]`. The "@" of a ref comes after the URL's path has begun
 * (so `git@host:x` and `ssh://git@host/x` keep their user); a ref never
 * contains ":" (git check-ref-format).
 */
export function splitBaseValue(value: string): { url: string; ref: string | null } {
  if (value === BASE_NAME) return { url: DEVSTACK_URL, ref: null };
  if (value.startsWith(`${BASE_NAME}@`)) return { url: DEVSTACK_URL, ref: value.slice(BASE_NAME.length + 1) };
  let pathStart = 0;
  const scheme = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/]*/.exec(value);
  if (scheme) pathStart = scheme[0].length;
  else {
    const colon = value.indexOf(":");
    const slash = value.indexOf("/");
    if (colon > 0 && (slash < 0 || colon < slash)) pathStart = colon + 1;
  }
  const at = value.lastIndexOf("@");
  if (at < pathStart || at < 0) return { url: value, ref: null };
  const ref = value.slice(at + 1);
  if (ref.includes(":")) return { url: value, ref: null };
  return { url: value.slice(0, at), ref };
}

export interface BaseWhere {
  source: BaseSource;
  /** file and line (localrc), or a description ("--base", "the PLUGSTACK_BASE environment variable") */
  file: string;
  line: number;
}

/** A checked BaseSpec, or null for an empty value; a bad value is an error naming where it was set. */
export function parseBaseSpec(value: string | undefined, where: BaseWhere): BaseSpec | null {
  const v = (value ?? "").trim();
  if (!v) return null;
  const { url, ref } = splitBaseValue(v);
  const refuse = (message: string): never => {
    const hint = "write PLUGSTACK_BASE=URL[@REF], e.g. PLUGSTACK_BASE=devstack or PLUGSTACK_BASE=https://opendev.org/openstack/devstack@stable/2026.1";
    if (where.source === "localrc") throw new ConfigError(message, where.file, where.line || undefined, hint);
    throw new UsageError(`${where.file}: ${message}`, hint);
  };
  const badUrl = validatePluginUrl(url);
  if (badUrl) refuse(`invalid PLUGSTACK_BASE: ${badUrl}`);
  if (ref !== null) {
    const badRef = validateRef(ref);
    if (badRef) refuse(`invalid PLUGSTACK_BASE: ${badRef}`);
  }
  return {
    name: BASE_NAME,
    url,
    ref: ref ?? "master",
    refGiven: ref !== null,
    order: -1,
    file: where.file,
    line: where.line,
    base: true,
    source: where.source,
    value: v,
  };
}

/** The line of localrc that sets PLUGSTACK_BASE last (for messages), or 0. */
export function findBaseLine(lines: readonly string[]): number {
  let found = 0;
  lines.forEach((l, i) => {
    if (/^\s*(?:export\s+)?PLUGSTACK_BASE=/.test(l)) found = i + 1;
  });
  return found;
}
