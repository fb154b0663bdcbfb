// Package version ordering: dpkg (Debian policy 5.6.12) and rpm (rpmvercmp).
// Pure: no I/O. Both comparators return -1, 0 or 1.

export type VersionScheme = "dpkg" | "rpm";
export type Relation = "<" | "<=" | "==" | "!=" | ">=" | ">";

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= "0" && c <= "9";
const isAsciiAlpha = (c: string | undefined): boolean => c !== undefined && ((c >= "a" && c <= "z") || (c >= "A" && c <= "Z"));
const sign = (n: number): -1 | 0 | 1 => (n < 0 ? -1 : n > 0 ? 1 : 0);

export interface DpkgVersion {
  epoch: number;
  upstream: string;
  revision: string;
}

/** Splits `[epoch:]upstream[-revision]`: epoch before the first colon, revision after the last hyphen. */
export function parseDpkgVersion(text: string): DpkgVersion {
  let rest = text.trim();
  let epoch = 0;
  const colon = rest.indexOf(":");
  if (colon > 0 && /^\d+$/.test(rest.slice(0, colon))) {
    epoch = Number(rest.slice(0, colon));
    rest = rest.slice(colon + 1);
  }
  const hyphen = rest.lastIndexOf("-");
  if (hyphen < 0) return { epoch, upstream: rest, revision: "" };
  return { epoch, upstream: rest.slice(0, hyphen), revision: rest.slice(hyphen + 1) };
}

// dpkg's character weight in the non-digit parts: `~` before everything (even
// the end of a part), then the end of the part, then letters, then the rest.
function dpkgOrder(c: string | undefined): number {
  if (c === undefined || isDigit(c)) return 0;
  if (isAsciiAlpha(c)) return c.charCodeAt(0);
  if (c === "~") return -1;
  return c.charCodeAt(0) + 256;
}

/** dpkg's comparison of one part (upstream or revision). */
function compareDpkgPart(a: string, b: string): -1 | 0 | 1 {
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    while ((i < a.length && !isDigit(a[i])) || (j < b.length && !isDigit(b[j]))) {
      const ac = dpkgOrder(a[i]);
      const bc = dpkgOrder(b[j]);
      if (ac !== bc) return sign(ac - bc);
      i++;
      j++;
    }
    while (a[i] === "0") i++;
    while (b[j] === "0") j++;
    let firstDiff = 0;
    while (isDigit(a[i]) && isDigit(b[j])) {
      if (!firstDiff) firstDiff = a.charCodeAt(i) - b.charCodeAt(j);
      i++;
      j++;
    }
    if (isDigit(a[i])) return 1;
    if (isDigit(b[j])) return -1;
    if (firstDiff) return sign(firstDiff);
  }
  return 0;
}

/** Full dpkg version comparison: epoch, then upstream, then revision. */
export function compareDpkgVersions(a: string, b: string): -1 | 0 | 1 {
  const va = parseDpkgVersion(a);
  const vb = parseDpkgVersion(b);
  if (va.epoch !== vb.epoch) return sign(va.epoch - vb.epoch);
  return compareDpkgPart(va.upstream, vb.upstream) || compareDpkgPart(va.revision, vb.revision);
}

/** rpm's rpmvercmp on one version or release string (`~` sorts lowest, `^` just above the base). */
export function rpmvercmp(a: string, b: string): -1 | 0 | 1 {
  if (a === b) return 0;
  let one = 0;
  let two = 0;
  const sep = (s: string, k: number) => k < s.length && !isDigit(s[k]) && !isAsciiAlpha(s[k]) && s[k] !== "~" && s[k] !== "^";
  while (one < a.length || two < b.length) {
    while (sep(a, one)) one++;
    while (sep(b, two)) two++;
    if (a[one] === "~" || b[two] === "~") {
      if (a[one] !== "~") return 1;
      if (b[two] !== "~") return -1;
      one++;
      two++;
      continue;
    }
    if (a[one] === "^" || b[two] === "^") {
      if (one >= a.length) return -1;
      if (two >= b.length) return 1;
      if (a[one] !== "^") return 1;
      if (b[two] !== "^") return -1;
      one++;
      two++;
      continue;
    }
    if (!(one < a.length && two < b.length)) break;
    const numeric = isDigit(a[one]);
    const inSegment = numeric ? isDigit : isAsciiAlpha;
    let end1 = one;
    let end2 = two;
    while (inSegment(a[end1])) end1++;
    while (inSegment(b[end2])) end2++;
    if (end2 === two) return numeric ? 1 : -1; // numeric segments are newer than alpha ones
    let s1 = a.slice(one, end1);
    let s2 = b.slice(two, end2);
    if (numeric) {
      s1 = s1.replace(/^0+/, "");
      s2 = s2.replace(/^0+/, "");
      if (s1.length !== s2.length) return s1.length > s2.length ? 1 : -1;
    }
    if (s1 !== s2) return s1 < s2 ? -1 : 1;
    one = end1;
    two = end2;
  }
  if (one >= a.length && two >= b.length) return 0;
  return one >= a.length ? -1 : 1;
}

export interface RpmEvr {
  epoch: number;
  version: string;
  release: string;
}

/** Splits `[epoch:]version[-release]`. */
function parseRpmEvr(text: string): RpmEvr {
  const d = parseDpkgVersion(text);
  return { epoch: d.epoch, version: d.upstream, release: d.revision };
}

/** rpm EVR comparison: epoch (missing = 0), version, then release. */
export function compareRpmVersions(a: string, b: string): -1 | 0 | 1 {
  const va = parseRpmEvr(a);
  const vb = parseRpmEvr(b);
  if (va.epoch !== vb.epoch) return sign(va.epoch - vb.epoch);
  return rpmvercmp(va.version, vb.version) || rpmvercmp(va.release, vb.release);
}

function compareVersions(scheme: VersionScheme, a: string, b: string): -1 | 0 | 1 {
  return scheme === "rpm" ? compareRpmVersions(a, b) : compareDpkgVersions(a, b);
}

/**
 * Does `installed <relation> wanted` hold? As bindep does, `==` and `!=`
 * compare the strings exactly; the ordering relations use the scheme.
 */
export function satisfiesConstraint(scheme: VersionScheme, installed: string, relation: Relation, wanted: string): boolean {
  if (relation === "==") return installed === wanted;
  if (relation === "!=") return installed !== wanted;
  const c = compareVersions(scheme, installed, wanted);
  switch (relation) {
    case "<":
      return c < 0;
    case "<=":
      return c <= 0;
    case ">":
      return c > 0;
    case ">=":
      return c >= 0;
  }
}
