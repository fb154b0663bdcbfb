// libraries.sh: the GITREPO / GITBRANCH / GITDIR entries DevStack's stackrc
// and lib/* give the libraries it can install from git, filled after
// localrc, overridable per library, and never replacing a plugin's own.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { writeLibraryTree } from "../../src/shell/export.ts";
import { fixtureEnv, headOf, makeRepo } from "../helpers/git.ts";
import { makeSandbox, q, runScript } from "./helpers.ts";

const sb = makeSandbox();
afterAll(() => sb.cleanup());

// [library, the prefix of its NAME_REPO / NAME_BRANCH overrides, branchless]
const LIBRARIES: [name: string, prefix: string, branchless: boolean][] = [
  ["python-barbicanclient", "BARBICANCLIENT", false],
  ["python-brick-cinderclient-ext", "BRICK_CINDERCLIENT", false],
  ["python-cinderclient", "CINDERCLIENT", false],
  ["python-glanceclient", "GLANCECLIENT", false],
  ["python-ironicclient", "IRONICCLIENT", false],
  ["python-keystoneclient", "KEYSTONECLIENT", false],
  ["python-neutronclient", "NEUTRONCLIENT", false],
  ["python-novaclient", "NOVACLIENT", false],
  ["python-openstackclient", "OPENSTACKCLIENT", false],
  ["python-swiftclient", "SWIFTCLIENT", false],
  ["keystoneauth", "KEYSTONEAUTH", false],
  ["osc-placement", "OSC_PLACEMENT", false],
  ["automaton", "AUTOMATON", false],
  ["castellan", "CASTELLAN", false],
  ["cliff", "CLIFF", false],
  ["debtcollector", "DEBTCOLLECTOR", false],
  ["futurist", "FUTURIST", false],
  ["oslo.cache", "OSLOCACHE", false],
  ["oslo.concurrency", "OSLOCON", false],
  ["oslo.config", "OSLOCFG", false],
  ["oslo.context", "OSLOCTX", false],
  ["oslo.db", "OSLODB", false],
  ["oslo.i18n", "OSLOI18N", false],
  ["oslo.limit", "OSLOLIMIT", false],
  ["oslo.log", "OSLOLOG", false],
  ["oslo.messaging", "OSLOMSG", false],
  ["oslo.middleware", "OSLOMID", false],
  ["oslo.policy", "OSLOPOLICY", false],
  ["oslo.privsep", "OSLOPRIVSEP", false],
  ["oslo.reports", "OSLOREPORTS", false],
  ["oslo.rootwrap", "OSLORWRAP", false],
  ["oslo.serialization", "OSLOSERIALIZATION", false],
  ["oslo.service", "OSLOSERVICE", false],
  ["oslo.utils", "OSLOUTILS", false],
  ["oslo.versionedobjects", "OSLOVERSIONEDOBJECTS", false],
  ["oslo.vmware", "OSLOVMWARE", false],
  ["osprofiler", "OSPROFILER", false],
  ["pbr", "PBR", true],
  ["pycadf", "PYCADF", false],
  ["stevedore", "STEVEDORE", false],
  ["taskflow", "TASKFLOW", false],
  ["tooz", "TOOZ", false],
  ["ceilometermiddleware", "CEILOMETERMIDDLEWARE", false],
  ["cursive", "CURSIVE", false],
  ["diskimage-builder", "DIB", true],
  ["etcd3gw", "ETCD3GW", true],
  ["glance_store", "GLANCE_STORE", false],
  ["ironic-lib", "IRONIC_LIB", false],
  ["keystonemiddleware", "KEYSTONEMIDDLEWARE", false],
  ["neutron-lib", "NEUTRON_LIB", false],
  ["openstacksdk", "OPENSTACKSDK", false],
  ["os-brick", "OS_BRICK", false],
  ["os-client-config", "OS_CLIENT_CONFIG", false],
  ["os-ken", "OS_KEN", false],
  ["os-resource-classes", "OS_RESOURCE_CLASSES", false],
  ["os-traits", "OS_TRAITS", false],
  ["os-vif", "OS_VIF", false],
  ["osc-lib", "OSC_LIB", false],
  ["ovsdbapp", "OVSDBAPP", false],
];

type Entries = Record<string, { repo?: string; branch?: string; dir?: string }>;

// Prints every entry of the three arrays as "ARRAY<TAB>KEY<TAB>VALUE".
const DUMP = `for k in "\${!GITREPO[@]}"; do printf 'repo\\t%s\\t%s\\n' "$k" "\${GITREPO[$k]}"; done
for k in "\${!GITBRANCH[@]}"; do printf 'branch\\t%s\\t%s\\n' "$k" "\${GITBRANCH[$k]}"; done
for k in "\${!GITDIR[@]}"; do printf 'dir\\t%s\\t%s\\n' "$k" "\${GITDIR[$k]}"; done`;

/**
 * A fresh exported tree with an optional .localrc.auto; runs `pre`, then
 * `source stackrc`, then `post`, and returns the arrays' entries.
 */
function afterStackrc(opts: { localrc?: string; pre?: string; post?: string } = {}): Entries {
  const dir = join(sb.root, `tree-${Math.random().toString(36).slice(2)}`);
  mkdirSync(dir, { recursive: true });
  writeLibraryTree(dir);
  if (opts.localrc !== undefined) writeFileSync(join(dir, ".localrc.auto"), opts.localrc);
  const r = runScript(sb.root, `set -eu\n${opts.pre ?? ""}\nsource ${q(join(dir, "stackrc"))}\n${opts.post ?? ""}\n${DUMP}\n`, {
    env: { HOST_IP: "192.0.2.10" },
  });
  if (r.code !== 0 || r.stderr !== "") throw new Error(`stackrc failed (${r.code}): ${r.stderr}`);
  const out: Entries = {};
  for (const line of r.stdout.split("\n")) {
    const [kind, key, value] = line.split("\t");
    if (!key || value === undefined) continue;
    const e = out[key] ?? {};
    out[key] = e;
    if (kind === "repo") e.repo = value;
    if (kind === "branch") e.branch = value;
    if (kind === "dir") e.dir = value;
  }
  return out;
}

describe("DevStack's defaults", () => {
  let entries: Entries;
  beforeAll(() => {
    entries = afterStackrc();
  });

  test.each(LIBRARIES)("%s", (name, _prefix, _branchless) => {
    expect(entries[name]).toEqual({
      repo: `https://opendev.org/openstack/${name}.git`,
      branch: "master",
      dir: `/opt/stack/${name}`,
    });
  });

  test("no entry for a library the table does not list", () => {
    expect(Object.keys(entries).sort()).toEqual(LIBRARIES.map(([n]) => n).sort());
  });
});

describe("localrc", () => {
  let moved: Entries;
  let overridden: Entries;
  beforeAll(() => {
    moved = afterStackrc({
      localrc: "GIT_BASE=https://mirror.example.invalid/git\nTARGET_BRANCH=stable/2024.1\nDEST=/srv/stack\n",
    });
    overridden = afterStackrc({
      localrc: LIBRARIES.map(([name, prefix]) => `${prefix}_REPO=file:///srv/mirror/${name}\n${prefix}_BRANCH=review-${name}\n`).join(""),
    });
  });

  test.each(LIBRARIES)("%s follows GIT_BASE, TARGET_BRANCH and DEST", (name, _prefix, branchless) => {
    expect(moved[name]).toEqual({
      repo: `https://mirror.example.invalid/git/openstack/${name}.git`,
      branch: branchless ? "master" : "stable/2024.1",
      dir: `/srv/stack/${name}`,
    });
  });

  test.each(LIBRARIES)("%s takes its own PREFIX_REPO and PREFIX_BRANCH", (name) => {
    expect(overridden[name]).toEqual({ repo: `file:///srv/mirror/${name}`, branch: `review-${name}`, dir: `/opt/stack/${name}` });
  });
});

describe("entries someone else set", () => {
  test("a plugin's own entry wins, also when stackrc and the defaults run again", () => {
    const entries = afterStackrc({
      localrc: "GIT_BASE=https://mirror.example.invalid/git\n",
      post: [
        'GITREPO["oslo.config"]=https://plugin.example.invalid/oslo.config.git',
        'GITBRANCH["oslo.config"]=feature/x',
        'GITDIR["oslo.config"]=/srv/src/oslo.config',
        "_ps_apply_lib_defaults",
        'source "$TOP_DIR/stackrc"',
        "_ps_apply_lib_defaults",
      ].join("\n"),
    });
    expect(entries["oslo.config"]).toEqual({
      repo: "https://plugin.example.invalid/oslo.config.git",
      branch: "feature/x",
      dir: "/srv/src/oslo.config",
    });
    // the others still follow GIT_BASE from localrc
    expect(entries["oslo.log"]?.repo).toBe("https://mirror.example.invalid/git/openstack/oslo.log.git");
  });

  test("an entry set before the library loads is kept", () => {
    const entries = afterStackrc({ pre: "declare -gA GITREPO\nGITREPO[pbr]=file:///srv/pbr" });
    expect(entries.pbr).toEqual({ repo: "file:///srv/pbr", branch: "master", dir: "/opt/stack/pbr" });
  });
});

describe("git_clone_by_name and use_library_from_git for a listed library", () => {
  test("clones oslo.config from $GIT_BASE/openstack without the plugin naming it", () => {
    const base = join(sb.root, "forge");
    const upstream = makeRepo(join(base, "openstack", "oslo.config.git"), { commits: 2, bare: true });
    const dest = join(sb.root, "dest");
    const tree = join(sb.root, "clone-tree");
    writeLibraryTree(tree);
    writeFileSync(join(tree, ".localrc.auto"), `GIT_BASE=file://${base}\nDEST=${dest}\nLIBS_FROM_GIT=oslo.config\n`);
    const r = runScript(
      sb.root,
      `set -eu\nsource ${q(join(tree, "stackrc"))}\nuse_library_from_git oslo.config && git_clone_by_name oslo.config\necho "dir=\${GITDIR[oslo.config]}"\n`,
      { env: { ...fixtureEnv, HOST_IP: "192.0.2.10" } },
    );
    expect(r.stderr).not.toContain("die");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`dir=${dest}/oslo.config`);
    expect(headOf(join(dest, "oslo.config"))).toBe(upstream.commits[1]!);
  });
});
