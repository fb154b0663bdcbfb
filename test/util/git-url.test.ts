import { describe, expect, test } from "bun:test";
import { classifyUrl, locationOf } from "../../src/util/git-url.ts";

const kinds: [string, ReturnType<typeof classifyUrl>][] = [
  ["https://opendev.org/openstack/heat", { kind: "remote", url: "https://opendev.org/openstack/heat" }],
  ["git@github.com:org/repo", { kind: "remote", url: "git@github.com:org/repo" }],
  ["file:///srv/git/plugin", { kind: "remote", url: "file:///srv/git/plugin" }],
  ["/opt/stack/plugin", { kind: "local", path: "/opt/stack/plugin" }],
  ["/opt/stack/plugin/", { kind: "local", path: "/opt/stack/plugin" }],
  ["./plugins/example", { kind: "local", path: "/home/u/conf/plugins/example" }],
  ["plugins/example", { kind: "local", path: "/home/u/conf/plugins/example" }],
  ["../sibling", { kind: "local", path: "/home/u/sibling" }],
  ["./dir:with-colon", { kind: "local", path: "/home/u/conf/dir:with-colon" }],
];

describe("classifyUrl (base /home/u/conf)", () => {
  for (const [input, want] of kinds)
    test(input, () => {
      expect(classifyUrl(input, "/home/u/conf")).toEqual(want);
    });
});

describe("locationOf (base /home/u/conf): what git fetches from", () => {
  const rows: [string, string][] = [
    ["https://opendev.org/openstack/heat", "https://opendev.org/openstack/heat"],
    ["git@github.com:org/repo", "git@github.com:org/repo"],
    ["file:///srv/git/plugin", "file:///srv/git/plugin"],
    ["/opt/stack/plugin/", "/opt/stack/plugin"],
    ["plugins/example", "/home/u/conf/plugins/example"],
    ["../sibling", "/home/u/sibling"],
  ];
  for (const [input, want] of rows) test(input, () => expect(locationOf(input, "/home/u/conf")).toBe(want));
});
