import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { OrderError } from "../../src/errors.ts";
import {
  type OrderPlugin,
  type PluginRequirement,
  resolveRequirementNames,
  resolveRunOrder,
  type SettingsScan,
  scanSettings,
} from "../../src/plugins/order.ts";
import { loadPluginRequirements } from "../../src/plugins/requirements.ts";
import { type TempDir, tempDir } from "../helpers/git.ts";
import { thrownBy } from "../helpers/thrown.ts";

const scans: [string, SettingsScan][] = [
  ["", { defines: [], defineLines: [], requires: [] }],
  ["define_plugin ironic\n", { defines: ["ironic"], defineLines: [{ name: "ironic", line: 1 }], requires: [] }],
  [
    "define_plugin networking-baremetal\nplugin_requires networking-baremetal ironic\n",
    {
      defines: ["networking-baremetal"],
      defineLines: [{ name: "networking-baremetal", line: 1 }],
      requires: [{ plugin: "networking-baremetal", required: "ironic", line: 2 }],
    },
  ],
  ["# define_plugin commented\n  # plugin_requires a b\n", { defines: [], defineLines: [], requires: [] }],
  ["define_plugin x # trailing comment\n", { defines: ["x"], defineLines: [{ name: "x", line: 1 }], requires: [] }],
  ["    define_plugin indented\n", { defines: ["indented"], defineLines: [{ name: "indented", line: 1 }], requires: [] }],
  [
    'define_plugin "quoted"\nplugin_requires \'a\' "b"\n',
    { defines: ["quoted"], defineLines: [{ name: "quoted", line: 1 }], requires: [{ plugin: "a", required: "b", line: 2 }] },
  ],
  ["define_plugin $PLUGIN_NAME\nplugin_requires $ME other\n", { defines: [], defineLines: [], requires: [] }],
  ["plugin_requires onlyone\n", { defines: [], defineLines: [], requires: [] }],
  ["define_plugin a; plugin_requires a b\n", { defines: ["a"], defineLines: [{ name: "a", line: 1 }], requires: [{ plugin: "a", required: "b", line: 1 }] }],
  ["if is_service_enabled x; then plugin_requires a b; fi\n", { defines: [], defineLines: [], requires: [{ plugin: "a", required: "b", line: 1 }] }],
  ["[[ -n $X ]] && plugin_requires a c\n", { defines: [], defineLines: [], requires: [{ plugin: "a", required: "c", line: 1 }] }],
  ["echo define_plugin nope\nmy_define_plugin x\n", { defines: [], defineLines: [], requires: [] }],
  [
    "define_plugin a\r\nplugin_requires a b\r\n",
    { defines: ["a"], defineLines: [{ name: "a", line: 1 }], requires: [{ plugin: "a", required: "b", line: 2 }] },
  ],
];

describe("scanSettings", () => {
  for (const [input, want] of scans) test(JSON.stringify(input), () => expect(scanSettings(input)).toEqual(want));
});

function plugins(...names: string[]): OrderPlugin[] {
  return names.map((name, order) => ({ name, order }));
}
function req(plugin: string, required: string, extra: Partial<PluginRequirement> = {}): PluginRequirement {
  return { plugin, required, line: 1, ...extra };
}

// [label, plugins (declared order), requires, requires-mode order, warning count in declared mode]
const orders: [string, OrderPlugin[], PluginRequirement[], string[], number][] = [
  ["no requirements", plugins("a", "b", "c"), [], ["a", "b", "c"], 0],
  ["satisfied: b requires a", plugins("a", "b"), [req("b", "a")], ["a", "b"], 0],
  ["violated: a requires b", plugins("a", "b"), [req("a", "b")], ["b", "a"], 1],
  ["pull forward, keep the rest: a requires c", plugins("a", "b", "c"), [req("a", "c")], ["c", "a", "b"], 1],
  ["chain: a requires b requires c", plugins("a", "b", "c"), [req("a", "b"), req("b", "c")], ["c", "b", "a"], 2],
  ["deps pulled in declared order", plugins("x", "d2", "d1"), [req("x", "d1"), req("x", "d2")], ["d2", "d1", "x"], 2],
  ["self requirement ignored", plugins("a", "b"), [req("a", "a")], ["a", "b"], 0],
  ["duplicate requirement counted once", plugins("a", "b"), [req("a", "b"), req("a", "b", { line: 9 })], ["b", "a"], 1],
  [
    "order field, not array position",
    [
      { name: "b", order: 1 },
      { name: "a", order: 0 },
    ],
    [req("a", "b")],
    ["b", "a"],
    1,
  ],
  ["requirement of a plugin that is not enabled", plugins("a"), [req("zzz", "a")], ["a"], 0],
  [
    "define_plugin names resolve to enable names",
    [
      { name: "nb", order: 0, defines: ["networking-baremetal"] },
      { name: "ir", order: 1, defines: ["ironic"] },
    ],
    [req("networking-baremetal", "ironic")],
    ["ir", "nb"],
    1,
  ],
  ["unknown first argument falls back to the settings' own plugin", plugins("a", "b"), [req("a-repo-name", "b", { from: "a" })], ["b", "a"], 1],
  [
    "diamond keeps declared order where free",
    plugins("top", "left", "right", "base"),
    [req("top", "left"), req("top", "right"), req("left", "base"), req("right", "base")],
    ["base", "left", "right", "top"],
    4,
  ],
];

describe("resolveRunOrder", () => {
  for (const [label, ps, rs, want, warnCount] of orders) {
    test(`requires mode: ${label}`, () => {
      expect(resolveRunOrder(ps, rs, "requires")).toEqual({ order: want, warnings: [] });
    });
    test(`declared mode: ${label}`, () => {
      const r = resolveRunOrder(ps, rs, "declared");
      expect(r.order).toEqual([...ps].sort((a, b) => a.order - b.order).map((p) => p.name));
      expect(r.warnings).toHaveLength(warnCount);
      for (const w of r.warnings) expect(w).toContain(`Fixed order: ${want.join(", ")}`);
    });
  }
});

test("declared-mode warning names both plugins and where the requirement is", () => {
  const r = resolveRunOrder(plugins("nb", "ironic"), [req("nb", "ironic", { file: "/opt/stack/nb/devstack/settings", line: 4 })], "declared");
  expect(r.warnings[0]).toContain("plugin ironic is enabled after nb");
  expect(r.warnings[0]).toContain("/opt/stack/nb/devstack/settings:4");
  expect(r.warnings[0]).toContain("--order requires");
});

describe("cycles", () => {
  const cycles: [string, OrderPlugin[], PluginRequirement[], string][] = [
    ["a <-> b", plugins("a", "b"), [req("a", "b"), req("b", "a")], "a -> b -> a"],
    ["a -> b -> c -> a", plugins("a", "b", "c"), [req("a", "b"), req("b", "c"), req("c", "a")], "a -> b -> c -> a"],
    ["cycle not at the start", plugins("x", "a", "b"), [req("x", "a"), req("a", "b"), req("b", "a")], "a -> b -> a"],
  ];
  for (const [label, ps, rs, path] of cycles) {
    test(`requires mode throws: ${label}`, () => {
      const err = thrownBy(OrderError, () => resolveRunOrder(ps, rs, "requires"));
      expect(err.message).toContain(path);
      expect(err.exitCode).toBe(2);
    });
    test(`declared mode warns: ${label}`, () => {
      const r = resolveRunOrder(ps, rs, "declared");
      expect(r.order).toEqual(ps.map((p) => p.name));
      expect(r.warnings).toEqual([expect.stringContaining(path)]);
    });
  }
});

describe("missing required plugin", () => {
  const cases: [string, RunOrderArgs, string[]][] = [
    [
      "default URL from GIT_BASE convention",
      [plugins("networking-baremetal"), [req("networking-baremetal", "ironic", { file: "/d/nb/devstack/settings", line: 3 })]],
      [
        "plugin ironic is required by networking-baremetal (plugin_requires at /d/nb/devstack/settings:3) but is not enabled",
        "enable_plugin ironic https://opendev.org/openstack/ironic",
      ],
    ],
    [
      "known URL",
      [plugins("nb"), [req("nb", "ironic")], { knownUrls: { ironic: "https://example.org/ironic.git" } }],
      ["required by nb", "enable_plugin ironic https://example.org/ironic.git"],
    ],
    [
      "two missing, one error",
      [plugins("a", "b"), [req("a", "x"), req("b", "y"), req("b", "x")]],
      ["plugin x is required by a", "plugin y is required by b", "enable_plugin x ", "enable_plugin y "],
    ],
  ];
  for (const [label, [ps, rs, opts], fragments] of cases)
    for (const mode of ["declared", "requires"] as const)
      test(`${mode}: ${label}`, () => {
        const err = thrownBy(OrderError, () => resolveRunOrder(ps, rs, mode, opts));
        const text = `${err.message}\n${err.hint}`;
        for (const f of fragments) expect(text).toContain(f);
      });
});
type RunOrderArgs = [OrderPlugin[], PluginRequirement[], { knownUrls?: Record<string, string> }?];

test("resolveRequirementNames maps define names to enable names", () => {
  const got = resolveRequirementNames([
    {
      name: "nb",
      file: "/d/nb/devstack/settings",
      scan: { defines: ["networking-baremetal"], requires: [{ plugin: "networking-baremetal", required: "ironic", line: 2 }] },
    },
    { name: "ir", file: "/d/ir/devstack/settings", scan: { defines: ["ironic"], requires: [] } },
  ]);
  expect(got).toEqual([{ plugin: "nb", required: "ir", line: 2, file: "/d/nb/devstack/settings", from: "nb" }]);
});

describe("loadPluginRequirements", () => {
  let tmp: TempDir;
  beforeAll(() => {
    tmp = tempDir();
  });
  afterAll(() => tmp.cleanup());

  function plugin(name: string, settings?: string): { name: string; dir: string } {
    const dir = join(tmp.path, name);
    mkdirSync(join(dir, "devstack"), { recursive: true });
    if (settings !== undefined) writeFileSync(join(dir, "devstack", "settings"), settings);
    return { name, dir };
  }

  test("reads settings files, skips missing ones, resolves names", async () => {
    const ps = [
      plugin("nb", "define_plugin networking-baremetal\nplugin_requires networking-baremetal ironic-plugin\n"),
      plugin("ironic", "define_plugin ironic-plugin\n"),
      plugin("nosettings"),
      { name: "nodir", dir: join(tmp.path, "does-not-exist") },
    ];
    const reqs = await loadPluginRequirements(ps);
    expect(reqs).toEqual([{ plugin: "nb", required: "ironic", line: 2, file: join(ps[0]!.dir, "devstack", "settings"), from: "nb" }]);
    const r = resolveRunOrder(
      ps.map((p, order) => ({ name: p.name, order })),
      reqs,
      "requires",
    );
    expect(r.order).toEqual(["ironic", "nb", "nosettings", "nodir"]);
  });
});
