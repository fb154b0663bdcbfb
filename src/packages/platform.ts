// bindep's platform atoms (the `platform:` profiles), computed the way bindep
// computes them from the python `distro` library's id/codename/version.
// Pure: the caller supplies the facts (see distro.ts).

/** How bindep asks the machine for installed versions on this platform. */
export type QueryTool = "dpkg" | "rpm" | "emerge" | "pacman" | "apk";

export interface PlatformFacts {
  /** distro id as the `distro` library reports it (normalised: ol -> oracle, opensuse-leap -> opensuse) */
  id: string;
  codename: string;
  /** version string (VERSION_ID, or the fallbacks distro.version() uses) */
  release: string;
  /** os-release NAME (bindep looks for "server"/"workstation" in it on RHEL) */
  name: string;
}

export interface BindepPlatform {
  /** sorted, each prefixed with `platform:` */
  atoms: string[];
  /** null where bindep has no package query for the platform */
  query: QueryTool | null;
}

const DPKG_IDS = ["debian", "ubuntu", "pop"];
const RPM_IDS = [
  "amzn",
  "amazonami",
  "centos",
  "rhel",
  "redhatenterpriseserver",
  "redhatenterpriseworkstation",
  "fedora",
  "opensuseproject",
  "opensuse",
  "opensuse-leap",
  "opensuse-tumbleweed",
  "sles",
  "suselinux",
  "ol",
  "oracle",
  "rocky",
  "almalinux",
  "virtuozzo",
];
const PACMAN_IDS = ["arch", "manjaro"];

/** `id-word1`, `id-word1-word2`, ... for a codename of several words. */
function codenameAtoms(id: string, codename: string): string[] {
  const words = codename.split(/\s+/).filter(Boolean);
  return words.map((_, i) => `${id}-${words.slice(0, i + 1).join("-")}`);
}

/** `id-12`, `id-12.5`, ... one per dotted prefix; an empty release still yields `id-` as bindep does. */
function releaseAtoms(id: string, release: string): string[] {
  const parts = release.split(".");
  return parts.map((_, i) => `${id}-${parts.slice(0, i + 1).join(".")}`);
}

// bindep's base-py2/base-py3 virtual profiles: which python the platform's
// base system ships. Only the Debian and Red Hat families get one.
function basePython(id: string, release: string): "base-py2" | "base-py3" | null {
  const major = Number.parseInt(release, 10);
  if (!Number.isFinite(major)) return null;
  if (id === "debian") return major >= 10 ? "base-py3" : "base-py2";
  if (id === "ubuntu") return major >= 18 ? "base-py3" : "base-py2";
  if (id === "fedora") return major >= 23 ? "base-py3" : "base-py2";
  if (["centos", "rhel", "rocky", "almalinux", "oracle", "ol", "virtuozzo"].includes(id)) {
    return major >= 8 ? "base-py3" : "base-py2";
  }
  return null;
}

function withAlias(atoms: Set<string>, alias: string, codename: string, release: string): void {
  atoms.add(alias);
  for (const a of codenameAtoms(alias, codename)) atoms.add(a);
  for (const a of releaseAtoms(alias, release)) atoms.add(a);
}

/** The atoms bindep lists under "Platform profiles:" and matches `platform:` selectors against. */
export function resolveBindepPlatform(facts: PlatformFacts): BindepPlatform {
  const id = facts.id.split(/\s+/).join("").toLowerCase();
  const codename = facts.codename.toLowerCase();
  const release = facts.release.toLowerCase();
  const name = facts.name.toLowerCase();
  const atoms = new Set<string>([id]);
  for (const a of codenameAtoms(id, codename)) atoms.add(a);
  for (const a of releaseAtoms(id, release)) atoms.add(a);
  let query: QueryTool | null = null;

  if (DPKG_IDS.includes(id)) {
    atoms.add("dpkg");
    query = "dpkg";
  } else if (RPM_IDS.includes(id)) {
    if (id === "redhatenterpriseserver" || id === "redhatenterpriseworkstation") {
      withAlias(atoms, "rhel", codename, release);
    } else if (id === "rhel" && name.includes("server")) {
      withAlias(atoms, "redhatenterpriseserver", codename, release);
    } else if (id === "rhel" && name.includes("workstation")) {
      withAlias(atoms, "redhatenterpriseworkstation", codename, release);
    } else if (id.includes("amzn")) {
      withAlias(atoms, "amazonami", codename, release);
    } else if (id.includes("amazonami")) {
      withAlias(atoms, "amzn", codename, release);
    } else if (id.includes("opensuse")) {
      withAlias(atoms, "opensuse", codename, release);
      withAlias(atoms, "opensuseproject", codename, release);
    } else if (id.includes("sles")) {
      withAlias(atoms, "suselinux", codename, release);
    } else if (id.includes("suselinux")) {
      withAlias(atoms, "sles", codename, release);
    }
    atoms.add(id.includes("suse") || id === "sles" ? "suse" : "redhat");
    atoms.add("rpm");
    query = "rpm";
  } else if (id === "gentoo") {
    atoms.add("emerge");
    query = "emerge";
  } else if (PACMAN_IDS.includes(id)) {
    atoms.add("pacman");
    query = "pacman";
  } else if (id === "alpine") {
    atoms.add("apk");
    query = "apk";
  }
  const py = basePython(id, release);
  if (py) atoms.add(py);
  return { atoms: [...atoms].sort().map((a) => `platform:${a}`), query };
}
