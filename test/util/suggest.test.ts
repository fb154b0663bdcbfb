import { describe, expect, test } from "bun:test";
import { closestWords, editDistance } from "../../src/util/suggest.ts";

describe("editDistance", () => {
  const cases: [string, string, number][] = [
    ["enable_plugn", "enable_plugin", 1],
    ["iniest", "iniset", 1],
    ["abc", "abc", 0],
    ["", "abc", 3],
    ["kitten", "sitting", 3],
  ];
  for (const [a, b, d] of cases) test(`${a} -> ${b}`, () => expect(editDistance(a, b)).toBe(d));
});

describe("closestWords", () => {
  const known = ["install_package", "uninstall_package", "iniset", "inicomment", "is_service_enabled"];
  test("closest first, the word itself never", () => expect(closestWords("instal_package", known)).toEqual(["install_package", "uninstall_package"]));
  test("short words allow one edit", () => expect(closestWords("insit", known)).toEqual([]));
  test("nothing close", () => expect(closestWords("configure_nova", known)).toEqual([]));
  test("case-insensitive", () => expect(closestWords("INISET", ["iniset"])).toEqual(["iniset"]));
});
