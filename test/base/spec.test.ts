// PLUGSTACK_BASE=URL[@REF]: where the URL ends and the ref begins, and what a bad value says.
import { describe, expect, test } from "bun:test";
import { DEVSTACK_URL, parseBaseSpec, splitBaseValue } from "../../src/base/spec.ts";
import { ConfigError, UsageError } from "../../src/errors.ts";
import { thrownBy } from "../helpers/thrown.ts";

describe("splitBaseValue", () => {
  test.each([
    ["devstack", DEVSTACK_URL, null],
    ["devstack@stable/2026.1", DEVSTACK_URL, "stable/2026.1"],
    ["https://opendev.org/openstack/devstack", "https://opendev.org/openstack/devstack", null],
    ["https://opendev.org/openstack/devstack@stable/2026.1", "https://opendev.org/openstack/devstack", "stable/2026.1"],
    ["https://user@host/devstack", "https://user@host/devstack", null],
    ["ssh://git@host/devstack@2026.1-eol", "ssh://git@host/devstack", "2026.1-eol"],
    ["git@github.com:openstack/devstack", "git@github.com:openstack/devstack", null],
    ["git@github.com:openstack/devstack@master", "git@github.com:openstack/devstack", "master"],
    ["/srv/devstack@493835a61a996731a7031861f80c7629acd5d6f2", "/srv/devstack", "493835a61a996731a7031861f80c7629acd5d6f2"],
    ["../devstack", "../devstack", null],
  ])("%s", (value, url, ref) => {
    expect(splitBaseValue(value)).toEqual({ url, ref });
  });
});

describe("parseBaseSpec", () => {
  const where = { source: "localrc" as const, file: "/cfg/local.conf", line: 4 };
  test("devstack means DevStack's repository at master, not a given ref", () => {
    expect(parseBaseSpec("devstack", where)).toMatchObject({
      name: "devstack",
      url: DEVSTACK_URL,
      ref: "master",
      refGiven: false,
      base: true,
      source: "localrc",
    });
  });
  test("empty is no base", () => {
    expect(parseBaseSpec("", where)).toBeNull();
    expect(parseBaseSpec(undefined, where)).toBeNull();
  });
  test("a bad ref in localrc names file:line", () => {
    const e = thrownBy(ConfigError, () => parseBaseSpec("devstack@bad..ref", where));
    expect(e.message).toBe('/cfg/local.conf:4: invalid PLUGSTACK_BASE: ref "bad..ref" contains ".."');
    expect(e.hint).toContain("PLUGSTACK_BASE=devstack");
  });
  test("a refused transport from --base is a usage error naming the flag", () => {
    const e = thrownBy(UsageError, () => parseBaseSpec("ext::sh -c x", { source: "flag", file: "--base", line: 0 }));
    expect(e.message).toStartWith("--base: invalid PLUGSTACK_BASE: URL");
  });
});
