// Which distro are we on? From /etc/os-release (root injectable), as bindep
// (through the python `distro` library) and DevStack (GetOSVersion/GetDistro)
// see it. parseOsRelease and resolveDistro are pure; detectDistro reads files.
import { readdir, readFile } from "node:fs/promises";
import { release as kernelRelease } from "node:os";
import { join } from "node:path";
import { PackageError } from "../errors.ts";
import { type QueryTool, resolveBindepPlatform } from "./platform.ts";
import type { VersionScheme } from "./version.ts";

export type PackageManager = "apt-get" | "dnf" | "zypper" | "apk" | "pacman" | "emerge";
export type DistroFamily = "debian" | "redhat" | "suse" | "alpine" | "arch" | "gentoo" | "unknown";

export interface DistroInfo {
  /** os-release ID, lower case */
  id: string;
  versionId: string;
  prettyName: string;
  family: DistroFamily;
  /** installer to use; null when plugstack has none for this distro */
  manager: PackageManager | null;
  /** how installed versions are asked for and ordered (bindep constraints) */
  query: QueryTool | null;
  versionScheme: VersionScheme;
  /** bindep's `platform:` atoms, sorted */
  platformAtoms: string[];
  /**
   * DevStack's DISTRO (bookworm, jammy, f40, rhel9, opensuse-15.6, sle15 ...);
   * ID-VERSION_ID (alpine-3.20.3) or ID where DevStack names none. The
   * library's shell/distro.sh computes the same name for $DISTRO
   * (test/shell/distro-agreement.test.ts).
   */
  distro: string;
}

/** Parses os-release (shell-like KEY=value lines, quotes, escapes, comments). */
export function parseOsRelease(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (!line || line.startsWith("#")) continue;
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (!m) continue;
    out[m[1]!] = unquote(m[2]!);
  }
  return out;
}

function unquote(v: string): string {
  let out = "";
  let i = 0;
  while (i < v.length) {
    const c = v[i]!;
    if (c === "'") {
      const end = v.indexOf("'", i + 1);
      out += v.slice(i + 1, end < 0 ? undefined : end);
      i = end < 0 ? v.length : end + 1;
    } else if (c === '"') {
      i++;
      while (i < v.length && v[i] !== '"') {
        if (v[i] === "\\" && i + 1 < v.length && '"\\$`'.includes(v[i + 1]!)) i++;
        out += v[i];
        i++;
      }
      i++;
    } else if (c === "\\" && i + 1 < v.length) {
      out += v[i + 1];
      i += 2;
    } else if (/\s/.test(c) || c === "#") {
      break; // an unquoted space ends the value (as shlex does); a # starts a comment
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

/** Facts from a distro release file such as /etc/fedora-release ("Fedora release 40 (Forty)"). */
export function parseReleaseFileLine(line: string): { name?: string; versionId?: string; codename?: string } {
  const text = line.trim();
  if (!text) return {};
  const m = /^(.*?)\s*(?:release\s+)?(\d[\d.+\-a-z]*)?\s*(?:\(([^)]*)\))?\s*$/.exec(text);
  if (!m?.[2]) return { name: text };
  return { name: m[1] || undefined, versionId: m[2], codename: m[3] };
}

const NORMALIZED_OS_ID: Record<string, string> = { ol: "oracle", "opensuse-leap": "opensuse" };

export interface DistroFacts {
  osRelease: Record<string, string>;
  /** first usable /etc/<x>-release file's first line, if any (the distro library's fallback) */
  releaseFileLine?: string;
  /** kernel release: the last fallback for the version, as on a real host */
  kernelRelease?: string;
}

/** Everything bindep and DevStack derive from the os-release facts. */
export function resolveDistro(facts: DistroFacts): DistroInfo {
  const osr = facts.osRelease;
  const rel = facts.releaseFileLine ? parseReleaseFileLine(facts.releaseFileLine) : {};
  const rawId = (osr.ID ?? "").toLowerCase();
  const id = rawId.replace(/ /g, "_");
  const libId = NORMALIZED_OS_ID[id] ?? id;
  const idLike = (osr.ID_LIKE ?? "").toLowerCase().split(/\s+/).filter(Boolean);
  const osrCodename = osReleaseCodename(osr);
  const codename = osrCodename ?? rel.codename ?? "";
  const prettyVersion = osr.PRETTY_NAME ? parseReleaseFileLine(osr.PRETTY_NAME).versionId : undefined;
  const release = osr.VERSION_ID || rel.versionId || prettyVersion || facts.kernelRelease || "";
  const platform = resolveBindepPlatform({ id: libId, codename, release, name: osr.NAME ?? "" });
  const family = familyOf(id, idLike);
  return {
    id,
    versionId: osr.VERSION_ID ?? "",
    prettyName: osr.PRETTY_NAME ?? osr.NAME ?? id,
    family,
    manager: MANAGERS[family],
    query: platform.query ?? QUERIES[family],
    versionScheme: (platform.query ?? QUERIES[family]) === "rpm" ? "rpm" : "dpkg",
    platformAtoms: platform.atoms,
    distro: devstackDistro(devstackOs(id, osr, family), id, osr),
  };
}

// The distro library's codename: VERSION_CODENAME (even when empty), else
// UBUNTU_CODENAME, else "(Name)" or ", Name" parsed out of VERSION.
function osReleaseCodename(osr: Record<string, string>): string | undefined {
  if ("VERSION_CODENAME" in osr) return osr.VERSION_CODENAME;
  if ("UBUNTU_CODENAME" in osr) return osr.UBUNTU_CODENAME;
  const m = osr.VERSION ? /\((\D+)\)|,\s*(\D+)/.exec(osr.VERSION) : null;
  return m ? (m[1] ?? m[2]) : undefined;
}

const MANAGERS: Record<DistroFamily, PackageManager | null> = {
  debian: "apt-get",
  redhat: "dnf",
  suse: "zypper",
  alpine: "apk",
  arch: "pacman",
  gentoo: "emerge",
  unknown: null,
};
const QUERIES: Record<DistroFamily, QueryTool | null> = {
  debian: "dpkg",
  redhat: "rpm",
  suse: "rpm",
  alpine: "apk",
  arch: "pacman",
  gentoo: "emerge",
  unknown: null,
};

function familyOf(id: string, idLike: string[]): DistroFamily {
  for (const x of [id, ...idLike]) {
    if (["debian", "ubuntu"].includes(x)) return "debian";
    if (x.includes("suse") || x === "sles") return "suse";
    if (["rhel", "fedora", "centos", "rocky", "almalinux", "ol", "amzn", "virtuozzo", "openeuler"].includes(x)) return "redhat";
    if (x === "alpine") return "alpine";
    if (x === "arch" || x === "manjaro") return "arch";
    if (x === "gentoo") return "gentoo";
  }
  return "unknown";
}

// lsb_release -i -s as DevStack reads it (CentOS/RHEL 9: NAME without spaces).
const VENDORS: Record<string, string> = {
  debian: "Debian",
  ubuntu: "Ubuntu",
  fedora: "Fedora",
  rocky: "Rocky",
  almalinux: "AlmaLinux",
  ol: "OracleServer",
  "opensuse-leap": "openSUSE",
  "opensuse-tumbleweed": "openSUSE",
  opensuse: "openSUSE",
  sles: "SUSE",
  virtuozzo: "Virtuozzo",
  openeuler: "openEuler",
};
/** DevStack's os_VENDOR, os_RELEASE and os_CODENAME, as far as DISTRO needs them. */
interface DevstackOs {
  VENDOR: string;
  RELEASE: string;
  CODENAME: string;
}

function devstackOs(id: string, osr: Record<string, string>, family: DistroFamily): DevstackOs {
  const vendor = VENDORS[id] ?? (osr.NAME ?? id).replace(/\s+/g, "");
  const release = osr.VERSION_ID || "n/a";
  let codename: string;
  if (id === "centos" || id === "rhel") codename = "n/a";
  else if (id === "rocky") codename = "";
  else if (family === "debian") codename = osr.VERSION_CODENAME || osr.UBUNTU_CODENAME || "n/a";
  else codename = (osReleaseCodename(osr) || "n/a").replace(/\s+/g, "");
  return { VENDOR: vendor, RELEASE: release, CODENAME: codename };
}

function devstackDistro(os: DevstackOs, id: string, osr: Record<string, string>): string {
  const v = os.VENDOR;
  if (/Ubuntu|Debian/.test(v)) return os.CODENAME;
  if (/Fedora/.test(v)) return `f${os.RELEASE}`;
  if (/Red.*Hat|CentOS|AlmaLinux|Scientific|OracleServer|Rocky|Virtuozzo/.test(v)) return `rhel${os.RELEASE.split(".")[0]}`;
  if (/openEuler/.test(v)) return `openEuler-${os.RELEASE}`;
  if (/openSUSE/.test(v)) return id === "opensuse-tumbleweed" ? "opensuse-tumbleweed" : `opensuse-${os.RELEASE}`;
  if (/SUSE/.test(v)) return `sle${os.RELEASE.replace(/\.[^.]*$/, "")}`;
  return osr.VERSION_ID ? `${id}-${osr.VERSION_ID}` : id;
}

const RELEASE_FILE = /^(\w+)[-_](release|version)$/;
const RELEASE_FILE_IGNORED = new Set([
  "debian_version",
  "lsb-release",
  "oem-release",
  "os-release",
  "system-release",
  "plesk-release",
  "iredmail-release",
  "board-release",
  "ec2_version",
]);

/** Reads `<root>/etc/os-release` (else `<root>/usr/lib/os-release`) and derives DistroInfo. */
export async function detectDistro(opts: { root?: string } = {}): Promise<DistroInfo> {
  const root = opts.root ?? "/";
  const candidates = [join(root, "etc/os-release"), join(root, "usr/lib/os-release")];
  let text: string | undefined;
  for (const file of candidates) {
    text = await readFile(file, "utf8").catch(() => undefined);
    if (text !== undefined) break;
  }
  if (text === undefined) {
    throw new PackageError(
      `cannot tell which distro this is: neither ${candidates.join(" nor ")} exists`,
      "plugstack reads the os-release file (systemd's format) to choose package lists and the installer",
    );
  }
  let releaseFileLine: string | undefined;
  const names = (await readdir(join(root, "etc")).catch(() => [] as string[])).sort();
  for (const name of names) {
    if (!RELEASE_FILE.test(name) || RELEASE_FILE_IGNORED.has(name)) continue;
    const content = await readFile(join(root, "etc", name), "utf8").catch(() => "");
    const first = content.split("\n")[0] ?? "";
    if (parseReleaseFileLine(first).name) {
      releaseFileLine = first;
      break;
    }
  }
  return resolveDistro({
    osRelease: parseOsRelease(text),
    releaseFileLine,
    kernelRelease: root === "/" ? kernelRelease() : undefined,
  });
}
