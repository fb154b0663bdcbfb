// Credentials in URLs never leave plugstack (CONTRACT 11): every URL and every
// text that may quote one (messages, logs, the lock, state.json) goes through
// here. Leaf module: imports nothing of the domain.
//
// What counts as a credential: the user-info part of an http(s) URL
// (`https://user:token@host/...`: a bare user there is often a token), and
// any user-info holding a password (`scheme://user:pw@host`). An ssh login
// name (`ssh://git@host/...`, `git@host:path`) is no secret and is kept, so
// the URL still works.

const REDACTED = "***";

/** [scheme]://userinfo@ where userinfo runs to the last "@" before the path (a mistyped URL without its scheme too). */
const URL_WITH_USERINFO = /(?:\b([A-Za-z][A-Za-z0-9+.-]*))?:\/\/([^/\s?#'"<>`]*)@/g;

function isSecret(scheme: string, userinfo: string): boolean {
  const s = scheme.toLowerCase();
  return s === "http" || s === "https" || userinfo.includes(":");
}

/** `text` with the credentials of every URL in it replaced by `***`. */
export function redact(text: string): string {
  if (!text.includes("@")) return text;
  return text.replace(URL_WITH_USERINFO, (whole, scheme: string | undefined, userinfo: string) =>
    userinfo === REDACTED || !isSecret(scheme ?? "", userinfo) ? whole : `${scheme ?? ""}://${REDACTED}@`,
  );
}

export interface SplitCredentials {
  /** the URL without its credentials (what git and the cache see) */
  url: string;
  /** decoded user and password, when the URL carried them */
  username?: string;
  password?: string;
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/**
 * `url` without its credentials, and the credentials themselves (decoded as
 * git decodes them). A redacted `***` user-info is no credential: it is
 * dropped too.
 */
export function splitCredentials(url: string): SplitCredentials {
  const m = /^([A-Za-z][A-Za-z0-9+.-]*)?:\/\/([^/?#]*)@/.exec(url);
  if (!m || !isSecret(m[1] ?? "", m[2]!)) return { url };
  const userinfo = m[2]!;
  const bare = `${m[1] ?? ""}://${url.slice(m[0].length)}`;
  if (userinfo === REDACTED) return { url: bare };
  const colon = userinfo.indexOf(":");
  const username = decode(colon >= 0 ? userinfo.slice(0, colon) : userinfo);
  const password = colon >= 0 ? decode(userinfo.slice(colon + 1)) : undefined;
  return { url: bare, username, ...(password !== undefined ? { password } : {}) };
}

/** `url` with its credentials removed (not replaced): the form identities compare. */
export function stripCredentials(url: string): string {
  return splitCredentials(url).url;
}
