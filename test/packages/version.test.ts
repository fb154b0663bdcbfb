import { describe, expect, test } from "bun:test";
import { compareDpkgVersions, compareRpmVersions, parseDpkgVersion, rpmvercmp, satisfiesConstraint } from "../../src/packages/version.ts";

// [a, b, expected sign of compare(a, b)]
const DPKG: [string, string, -1 | 0 | 1][] = [
  ["1.0", "1.0", 0],
  ["1.0", "1.00", 0],
  ["1.0", "1.0-0", 0],
  ["1.0", "1.1", -1],
  ["1.9", "1.10", -1],
  ["1.0", "1.0.1", -1],
  ["1.0~rc1", "1.0", -1],
  ["1.0~~", "1.0~~a", -1],
  ["1.0~~a", "1.0~", -1],
  ["1.0~", "1.0", -1],
  ["1.0", "1.0a", -1],
  ["1.0a", "1.0+", -1], // letters sort before non-letters
  ["1.0a", "1.0.", -1],
  ["1.0+b1", "1.0", 1],
  ["1.0-1", "1.0-1ubuntu1", -1],
  ["1.0-1", "1.0-2", -1],
  ["1.0-10", "1.0-9", 1],
  ["1:0.1", "2.0", 1], // epoch first
  ["0:1.0", "1.0", 0],
  ["2:1", "10:1", -1],
  ["1.2.3-4-5", "1.2.3-4-6", -1], // revision after the last hyphen
  ["2.36-9+deb12u14", "2.36-9+deb12u9", 1],
  ["2.36-9+deb12u4", "2.36-9", 1],
  ["3.5-ubuntu", "4", -1],
  ["1a", "1aa", -1],
  ["1a-a", "1a-aa", -1],
  ["1-a~", "1-a", -1],
  ["99999999999999999999", "99999999999999999998", 1], // beyond 2^53
];

describe("compareDpkgVersions", () => {
  for (const [a, b, want] of DPKG) {
    test(`${a} vs ${b}`, () => {
      expect(compareDpkgVersions(a, b)).toBe(want);
      expect(compareDpkgVersions(b, a)).toBe((want === 0 ? 0 : -want) as -1 | 0 | 1);
    });
  }
  test("parse splits epoch, upstream and revision", () => {
    expect(parseDpkgVersion("1:2.3-4-5")).toEqual({ epoch: 1, upstream: "2.3-4", revision: "5" });
    expect(parseDpkgVersion("2.3")).toEqual({ epoch: 0, upstream: "2.3", revision: "" });
  });
});

const RPM: [string, string, -1 | 0 | 1][] = [
  ["1.0", "1.0", 0],
  ["1.0", "1_0", 0], // separators are all alike
  ["1.0", "1.0.1", -1],
  ["1.0a", "1.0", 1],
  ["1.a", "1.1", -1], // numeric segments are newer than alpha ones
  ["2.0.1a", "2.0.1", 1],
  ["10", "9", 1],
  ["010", "10", 0],
  ["1.0~rc1", "1.0", -1],
  ["1.0~rc1", "1.0~rc2", -1],
  ["1.0~~", "1.0~", -1],
  ["1.0^", "1.0", 1],
  ["1.0^git1", "1.0", 1],
  ["1.0^git1", "1.0.1", -1],
  ["1.0^git1", "1.0^git2", -1],
  ["1.0~rc1^git1", "1.0~rc1", 1],
  ["a", "b", -1],
  ["FC5", "fc4", -1], // ASCII order: uppercase first
  ["6.0.rc1", "6.0", 1],
];

describe("rpmvercmp", () => {
  for (const [a, b, want] of RPM) {
    test(`${a} vs ${b}`, () => {
      expect(rpmvercmp(a, b)).toBe(want);
      expect(rpmvercmp(b, a)).toBe((want === 0 ? 0 : -want) as -1 | 0 | 1);
    });
  }
});

describe("compareRpmVersions (epoch:version-release)", () => {
  const cases: [string, string, -1 | 0 | 1][] = [
    ["1:1.0-1.el9", "2.0-1.el9", 1],
    ["1.0-1.el9", "1.0-2.el9", -1],
    ["1.0-1.el9_3", "1.0-1.el9_10", -1],
    ["1.0-1.el9", "1.0-1.el9", 0],
  ];
  for (const [a, b, want] of cases) test(`${a} vs ${b}`, () => expect(compareRpmVersions(a, b)).toBe(want));
});

describe("satisfiesConstraint", () => {
  const cases: [string, "dpkg" | "rpm", string, "<" | "<=" | "==" | "!=" | ">=" | ">", string, boolean][] = [
    ["== is exact string equality", "dpkg", "1.0", "==", "1.0-0", false],
    ["!= is exact string inequality", "dpkg", "1.0", "!=", "1.00", true],
    ["< with tilde", "dpkg", "1.0~rc1", "<", "1.0", true],
    ["<= equal", "dpkg", "4", "<=", "4", true],
    [">= epoch", "dpkg", "1:0.1", ">=", "9.9", true],
    ["> equal is false", "dpkg", "4", ">", "4", false],
    ["rpm caret above base", "rpm", "1.0^git1", ">", "1.0", true],
    ["rpm release compare", "rpm", "1.0-9.el9", "<", "1.0-10.el9", true],
  ];
  for (const [name, scheme, installed, rel, wanted, want] of cases) {
    test(name, () => expect(satisfiesConstraint(scheme, installed, rel, wanted)).toBe(want));
  }
});
