// The embedded DevStack plugin registry: the committed module is what the
// regeneration script makes from the registry data, and search ranks names.
import { describe, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { DEFAULT_TSV, REGISTRY_MODULE, renderRegistryModule } from "../../scripts/gen-registry.ts";
import { REGISTRY_ROWS } from "../../src/plugins/registry.generated.ts";
import { lookupPlugin, searchRegistry, suggestPluginNames } from "../../src/plugins/registry.ts";

describe("generated registry module", () => {
  const present = existsSync(DEFAULT_TSV);
  if (!present) console.log(`registry data ${DEFAULT_TSV} is not here (it lives beside the repository in development); the regeneration comparison is skipped`);
  test.skipIf(!present)("the committed module matches the registry data (run scripts/gen-registry.ts after changing it)", () => {
    expect(readFileSync(REGISTRY_MODULE, "utf8")).toBe(renderRegistryModule(readFileSync(DEFAULT_TSV, "utf8")));
  });

  test("a malformed row is refused naming its line", () => {
    expect(() => renderRegistryModule("name\tproject\turl\nheat\topenstack/heat\n")).toThrow("devstack-plugins.tsv:2:");
    expect(() => renderRegistryModule("name,project,url\n")).toThrow("devstack-plugins.tsv:1:");
  });

  test("every entry has a name, a project and an https URL ending in the project", () => {
    expect(REGISTRY_ROWS.length).toBeGreaterThan(100);
    for (const [name, project, url] of REGISTRY_ROWS) {
      expect(name).not.toBe("");
      expect(url).toBe(`https://opendev.org/${project}`);
    }
  });
});

describe("searchRegistry", () => {
  const cases: [string, string[]][] = [
    ["heat", ["heat", "heat-dashboard"]],
    ["HEAT", ["heat", "heat-dashboard"]],
    ["x/almanach", ["almanach"]],
  ];
  for (const [term, first] of cases) {
    test(term, () =>
      expect(
        searchRegistry(term)
          .matches.slice(0, first.length)
          .map((m) => m.name),
      ).toEqual(first),
    );
  }
  test("an exact name ranks before names that merely contain it", () => {
    const names = searchRegistry("neutron").matches.map((m) => m.name);
    expect(names[0]).toBe("neutron");
    expect(names.indexOf("neutron-dynamic-routing")).toBeGreaterThan(0);
  });
  test("no match: suggestions of close names", () => {
    expect(searchRegistry("hheat")).toEqual({ matches: [], suggestions: ["heat"] });
  });
});

test("lookupPlugin and suggestPluginNames", () => {
  expect(lookupPlugin("barbican")?.url).toBe("https://opendev.org/openstack/barbican");
  expect(lookupPlugin("Barbican")?.name).toBe("barbican");
  expect(lookupPlugin("nope-nope")).toBeUndefined();
  expect(suggestPluginNames("barbicn")).toContain("barbican");
});
