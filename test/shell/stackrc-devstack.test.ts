// The generated check of CONTRACT 6: DevStack's own stackrc (cloned from the
// fixture bundle at test time) is read for the names it assigns at top level,
// i.e. unconditionally; each must have a value in plugstack's stack shell,
// and a default that is a plain literal must be DevStack's literal. Also the
// load-time globals of DevStack's lib/* files that public plugins read.
import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { writeLibraryTree } from "../../src/shell/export.ts";
import { tempDir } from "../helpers/git.ts";
import { makeSandbox, q, runScript } from "./helpers.ts";

const BUNDLE = join(import.meta.dir, "..", "..", "..", "shared", "fixtures", "devstack.bundle");
const missing = existsSync(BUNDLE) ? "" : `DevStack's fixture bundle is not at ${BUNDLE}`;
if (missing) console.log(`[skip] stackrc generated check: ${missing}`);

const sb = makeSandbox();
const tmp = tempDir("plugstack-devstack-");
afterAll(() => {
  sb.cleanup();
  tmp.cleanup();
});

interface Assignment {
  name: string;
  /** DevStack's default when it is a literal (no expansion), else undefined */
  literal?: string;
  line: number;
}

/** Top-level `NAME=...` (and `export NAME=...`) lines: what stackrc always assigns. */
function topLevelAssignments(text: string): { vars: Assignment[]; arrays: Map<string, Set<string>> } {
  const vars: Assignment[] = [];
  const arrays = new Map<string, Set<string>>();
  text.split("\n").forEach((raw, i) => {
    const arr = /^(GITREPO|GITBRANCH|GITDIR)\["([^"]+)"\]=/.exec(raw);
    if (arr) {
      const set = arrays.get(arr[1]!) ?? new Set<string>();
      set.add(arr[2]!);
      arrays.set(arr[1]!, set);
      return;
    }
    const m = /^(?:export +)?([A-Za-z_][A-Za-z0-9_]*)\+?=(.*)$/.exec(raw);
    if (!m) return;
    const name = m[1]!;
    const rhs = m[2]!.trim();
    // NAME=literal, NAME="literal", NAME=${NAME:-literal} or ${NAME:-"literal"}
    const def = new RegExp(`^\\$\\{${name}:-"?([^"$\`{}]*)"?\\}$`).exec(rhs) ?? /^"?([^"$`{}()\s]*)"?$/.exec(rhs);
    vars.push({ name, literal: def ? def[1] : undefined, line: i + 1 });
  });
  // a name assigned again later (HOST_IP, EXTRA_CACHE_URLS+=) has no literal default
  const assignedAt = (name: string) => text.split("\n").filter((l) => new RegExp(`^\\s*(export +)?${name}\\+?=`).test(l)).length;
  for (const v of vars) if (v.literal !== undefined && assignedAt(v.name) > 1) v.literal = undefined;
  return { vars, arrays };
}

/** The stack shell's values (the library's stackrc, as a run sources it) of `names`. */
function shellValues(names: string[], arrays: string[]): Record<string, string | null> {
  const dir = join(sb.root, `tree-${Math.random().toString(36).slice(2)}`);
  mkdirSync(dir, { recursive: true });
  writeLibraryTree(dir);
  const r = runScript(
    sb.root,
    `set -eu
source ${q(join(dir, "stackrc"))}
for v in ${names.join(" ")}; do if [[ -v $v ]]; then printf '%s=%s\\n' "$v" "\${!v}"; else printf '%s\\n' "$v"; fi; done
${arrays.map((a) => `for k in "\${!${a}[@]}"; do printf '${a}[%s]=%s\\n' "$k" "\${${a}[$k]}"; done`).join("\n")}`,
  );
  if (r.code !== 0) throw new Error(`stackrc failed (${r.code}): ${r.stderr}`);
  const out: Record<string, string | null> = {};
  for (const line of r.stdout.split("\n").filter(Boolean)) {
    const i = line.indexOf("=");
    if (i < 0) out[line] = null;
    else out[line.slice(0, i)] = line.slice(i + 1);
  }
  return out;
}

describe.skipIf(!!missing)("every global DevStack's stackrc assigns", () => {
  const checkout = join(tmp.path, "devstack");
  const clone = () => {
    if (existsSync(checkout)) return;
    const r = Bun.spawnSync(["git", "clone", "--quiet", BUNDLE, checkout], { stderr: "pipe" });
    if (r.exitCode !== 0) throw new Error(`cloning the fixture bundle failed: ${r.stderr.toString()}`);
  };

  test("each top-level assignment has a value in the stack shell, literal defaults equal DevStack's", () => {
    clone();
    const { vars, arrays } = topLevelAssignments(readFileSync(join(checkout, "stackrc"), "utf8"));
    const names = [...new Set(vars.map((v) => v.name))];
    console.log(`stackrc assigns ${names.length} names at top level; ${vars.filter((v) => v.literal !== undefined).length} with literal defaults`);
    expect(names.length).toBeGreaterThan(80);
    const got = shellValues(names, [...arrays.keys()]);
    const unset = names.filter((n) => got[n] === null || got[n] === undefined);
    expect(unset).toEqual([]);
    const differ = vars
      .filter((v) => v.literal !== undefined && got[v.name] !== v.literal)
      // DevStack turns DOWNLOAD_DEFAULT_IMAGES off itself once the image is listed
      .filter((v) => v.name !== "DOWNLOAD_DEFAULT_IMAGES")
      .map((v) => `stackrc:${v.line} ${v.name}: DevStack ${JSON.stringify(v.literal)}, plugstack ${JSON.stringify(got[v.name])}`);
    expect(differ).toEqual([]);
    for (const [array, keys] of arrays) {
      const have = new Set(
        Object.keys(got)
          .filter((k) => k.startsWith(`${array}[`))
          .map((k) => k.slice(array.length + 1, -1)),
      );
      expect({ array, missing: [...keys].filter((k) => !have.has(k)) }).toEqual({ array, missing: [] });
    }
  });
});

// Load-time globals of DevStack's lib/* files that public plugins read (found
// by reading the devstack/ trees of public plugins for variables they use and
// do not set), with DevStack's defaults.
const LIB_GLOBALS: Record<string, string> = {
  // lib/neutron_plugins/services/l3
  PUBLIC_SUBNET_NAME: "public-subnet",
  PRIVATE_SUBNET_NAME: "private-subnet",
  IPV6_PUBLIC_SUBNET_NAME: "ipv6-public-subnet",
  IPV6_PRIVATE_SUBNET_NAME: "ipv6-private-subnet",
  SUBNETPOOL_NAME_V4: "shared-default-subnetpool-v4",
  SUBNETPOOL_NAME_V6: "shared-default-subnetpool-v6",
  NETWORK_GATEWAY: "",
  IPV6_PRIVATE_NETWORK_GATEWAY: "",
  IPV6_ROUTER_GW_IP: "2001:db8::1",
  // lib/neutron_plugins/ml2 (with the default OVN agent)
  ML2_L3_PLUGIN: "ovn-router",
  // lib/neutron
  NEUTRON_DHCP_CONF: "/etc/neutron/dhcp_agent.ini",
  NEUTRON_L3_CONF: "/etc/neutron/l3_agent.ini",
  Q_BUILD_OVS_FROM_GIT: "False",
  // lib/glance
  GLANCE_ENABLE_MULTIPLE_STORES: "False",
  GLANCE_SWIFT_STORE_CONF: "/etc/glance/glance-swift-store.conf",
  GLANCE_SERVICE_PORT: "9292",
  // lib/swift
  SWIFT_SERVICE_PROTOCOL: "http",
  SWIFT_DEFAULT_BIND_PORT: "8080",
  SWIFT_ENABLE_TEMPURLS: "False",
  // lib/tempest, lib/nova
  BUILD_TIMEOUT: "196",
  METADATA_SERVICE_PORT: "8775",
};

describe("globals DevStack's lib/* files set at load and plugins read", () => {
  test("have DevStack's defaults; IPV6_ADDRS_SAFE_TO_USE is a unique local /56 that FIXED_RANGE_V6 and the v6 pool follow", () => {
    const names = [...Object.keys(LIB_GLOBALS), "IPV6_ADDRS_SAFE_TO_USE", "FIXED_RANGE_V6", "SUBNETPOOL_PREFIX_V6", "PYTHON", "CACHE_BACKEND"];
    const got = shellValues(names, []);
    expect(Object.fromEntries(Object.keys(LIB_GLOBALS).map((k) => [k, got[k]]))).toEqual(LIB_GLOBALS);
    expect(got.IPV6_ADDRS_SAFE_TO_USE).toMatch(/^fd[0-9a-f]{2}:[0-9a-f]{4}:[0-9a-f]{4}::\/56$/);
    expect(got.FIXED_RANGE_V6).toBe(got.IPV6_ADDRS_SAFE_TO_USE!.replace("/56", "/64"));
    expect(got.SUBNETPOOL_PREFIX_V6).toBe(got.IPV6_ADDRS_SAFE_TO_USE!);
    // the interpreter is known before any hook (kuryr-libnetwork runs $PYTHON in its settings)
    expect(got.PYTHON).toMatch(/\/python3(\.\d+)?$/);
    expect(got.CACHE_BACKEND).toBe("dogpile.cache.memcached");
  });

  test("localrc wins; the lib values follow it (SWIFT_SERVICE_PROTOCOL from SERVICE_PROTOCOL, ML2_L3_PLUGIN may be empty)", () => {
    const dir = join(sb.root, "tree-localrc");
    mkdirSync(dir, { recursive: true });
    writeLibraryTree(dir);
    Bun.write(join(dir, ".localrc.auto"), "SERVICE_PROTOCOL=https\nML2_L3_PLUGIN=\nCACHE_BACKEND=oslo_cache.dict\nPUBLIC_SUBNET_NAME=ext\n");
    const r = runScript(
      sb.root,
      `set -eu\nsource ${q(join(dir, "stackrc"))}\necho "$SWIFT_SERVICE_PROTOCOL [$ML2_L3_PLUGIN] $CACHE_BACKEND $PUBLIC_SUBNET_NAME"`,
    );
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe("https [] oslo_cache.dict ext\n");
  });
});
