import { describe, expect, test } from "bun:test";
import { ConfigError } from "../../src/errors.ts";
import { checkPluginSpec, normaliseUrl, type PluginSpec, validatePluginName, validatePluginUrl, validateRef } from "../../src/plugins/spec.ts";
import { thrownBy } from "../helpers/thrown.ts";

// [input, ok]
const names: [string, boolean][] = [
  ["heat", true],
  ["networking-baremetal", true],
  ["devstack-plugin-ceph", true],
  ["my_plugin.v2", true],
  ["A1", true],
  [".hidden", true],
  ["", false],
  [".", false],
  ["..", false],
  ["-rf", false],
  ["a/b", false],
  ["../etc", false],
  ["with space", false],
  ["tab\there", false],
  ["dollar$", false],
  ["ünïcode", false],
  ["semi;colon", false],
  ["n".repeat(100), true],
  ["n".repeat(101), false],
  ["p".repeat(300), false],
];

describe("validatePluginName", () => {
  for (const [input, ok] of names)
    test(JSON.stringify(input), () => {
      const problem = validatePluginName(input);
      if (ok) expect(problem).toBeNull();
      else expect(problem).toBeString();
    });
});

const urls: [string, boolean][] = [
  ["https://opendev.org/openstack/heat", true],
  ["https://opendev.org/openstack/heat.git", true],
  ["http://10.0.0.1:8080/repo", true],
  ["HTTPS://OpenDev.org/openstack/heat", true],
  ["ssh://git@github.com/org/repo.git", true],
  ["git+ssh://git@github.com/org/repo", true],
  ["git://git.openstack.org/openstack/manila", true],
  ["file:///srv/git/plugin", true],
  ["git@github.com:org/repo.git", true],
  ["github.com:org/repo", true],
  ["/opt/stack/my-plugin", true],
  ["./plugins/example", true],
  ["../sibling", true],
  ["plugins/example", true],
  ["dir with space/plugin", true],
  ["", false],
  ["-uhttps://x", false],
  ["--upload-pack=touch /tmp/x", false],
  ["ext::sh -c touch% /tmp/pwned", false],
  ["fd::3", false],
  ["ftp://example.com/repo", false],
  ["ftps://example.com/repo", false],
  ["rsync://example.com/repo", false],
  ["javascript://x", false],
  ["ssh://-oProxyCommand=touch%20x/repo", false],
  ["-oProxyCommand=x:repo", false],
  ["user@-host:repo", false],
  ["https:///no-host", false],
  ["https://host/new\nline", false],
];

describe("validatePluginUrl", () => {
  for (const [input, ok] of urls)
    test(JSON.stringify(input), () => {
      const problem = validatePluginUrl(input);
      if (ok) expect(problem).toBeNull();
      else expect(problem).toBeString();
    });
});

const normals: [string, string][] = [
  ["https://opendev.org/openstack/heat", "https://opendev.org/openstack/heat"],
  ["https://opendev.org/openstack/heat.git", "https://opendev.org/openstack/heat"],
  ["https://opendev.org/openstack/heat/", "https://opendev.org/openstack/heat"],
  ["https://opendev.org/openstack/heat.git/", "https://opendev.org/openstack/heat"],
  ["HTTPS://OpenDev.ORG/openstack/Heat", "https://opendev.org/openstack/Heat"],
  ["https://opendev.org:443/openstack/heat", "https://opendev.org/openstack/heat"],
  ["http://127.0.0.1:8080/repo.git", "http://127.0.0.1:8080/repo"],
  ["git://Host:9418/x", "git://host/x"],
  ["git+ssh://git@GitHub.com/org/repo.git", "ssh://git@github.com/org/repo"],
  ["ssh://git@[::1]:22/r", "ssh://git@[::1]/r"],
  ["git@GitHub.com:Org/Repo.git", "git@github.com:Org/Repo"],
  ["file:///srv/git/plugin.git", "file:///srv/git/plugin"],
  ["/srv/git/plugin/", "/srv/git/plugin"],
];

describe("normaliseUrl", () => {
  for (const [input, want] of normals)
    test(input, () => {
      expect(normaliseUrl(input)).toBe(want);
    });
});

const refs: [string, boolean][] = [
  ["master", true],
  ["stable/2024.1", true],
  ["2023.2-eol", true],
  ["refs/changes/12/3456/7", true],
  ["v1.2.3", true],
  ["0123456789abcdef0123456789abcdef01234567", true],
  ["feature/with-dash_and.dot", true],
  ["", false],
  ["-b", false],
  ["--upload-pack=x", false],
  ["a..b", false],
  ["has space", false],
  ["tilde~1", false],
  ["caret^", false],
  ["co:lon", false],
  ["quest?", false],
  ["star*", false],
  ["br[acket", false],
  ["back\\slash", false],
  ["ctrl\x01", false],
  ["branch.lock", false],
  ["dir.lock/x", false],
  ["trailing/", false],
  ["/leading", false],
  ["double//slash", false],
  ["ends.", false],
  [".hidden", false],
  ["a/.hidden", false],
  ["at@{1}", false],
  ["@", false],
];

describe("validateRef", () => {
  for (const [input, ok] of refs)
    test(JSON.stringify(input), () => {
      const problem = validateRef(input);
      if (ok) expect(problem).toBeNull();
      else expect(problem).toBeString();
    });
});

function spec(over: Partial<PluginSpec>): PluginSpec {
  return {
    name: "heat",
    url: "https://opendev.org/openstack/heat",
    ref: "master",
    refGiven: false,
    order: 0,
    file: "/conf/local.conf",
    line: 7,
    ...over,
  };
}

const specs: [string, Partial<PluginSpec>, string | null][] = [
  ["valid spec", {}, null],
  ["name ..", { name: ".." }, "/conf/local.conf:7: invalid plugin name"],
  ["url ext::", { url: "ext::sh" }, "/conf/local.conf:7: invalid URL for plugin heat"],
  ["ref a..b", { ref: "a..b" }, "/conf/local.conf:7: invalid ref for plugin heat"],
];

describe("checkPluginSpec", () => {
  for (const [label, over, want] of specs)
    test(label, () => {
      if (want === null) {
        expect(() => checkPluginSpec(spec(over))).not.toThrow();
        return;
      }
      const err = thrownBy(ConfigError, () => checkPluginSpec(spec(over)));
      expect(err.message.startsWith(want)).toBe(true);
      expect(err.line).toBe(7);
      expect(err.hint).toBeString();
    });
});
