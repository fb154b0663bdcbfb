// services.sh and plugins.sh: enable/disable tables, catch-all service
// names, negated entries, DISABLED_SERVICES, enable_plugin and friends.
import { afterAll, describe, expect, test } from "bun:test";
import { makeSandbox, q, runLib } from "./helpers.ts";

const sb = makeSandbox();
afterAll(() => sb.cleanup());

/** Runs one shell line per row; returns the printed lines. */
function lines(rows: string[]): string[] {
  const r = runLib(sb, rows.join("\n"));
  if (r.code !== 0) throw new Error(`bash failed (${r.code}): ${r.stderr}`);
  return r.stdout.trimEnd().split("\n");
}

describe("enable_service", () => {
  const rows: [start: string, add: string, want: string][] = [
    ["", "a", "a"],
    ["a", "b", "a,b"],
    ["a,b", "c", "a,b,c"],
    ["a,b,", "c", "a,b,c"],
    ["a,b", "c,d", "a,b,c,d"],
    ["a,b", "c d", "a,b,c,d"],
    ["a,b,c", "c", "a,b,c"],
    ["a,b,-c", "c", "a,b"],
    ["a,b,c", "-c", "a,b"],
    ["n-api", "nova", "n-api"],
    ["n-api", "nova c-vol", "n-api,c-vol"],
  ];
  test.each(rows)("%p + %p -> %p", (start, add, want) => {
    // unquoted $add, as plugins write `enable_service $SERVICES`
    expect(lines([`ENABLED_SERVICES=${q(start)}; enable_service ${add}; echo "[$ENABLED_SERVICES]"`])).toEqual([`[${want}]`]);
  });

  test("a service disable_service removed is not enabled again (warning)", () => {
    const r = runLib(sb, 'ENABLED_SERVICES=a,b\ndisable_service b\nenable_service b c\necho "[$ENABLED_SERVICES]"');
    expect(r.stdout).toContain("Attempt to enable_service b when it has been disabled");
    expect(r.stdout).toEndWith("[a,c]\n");
  });
});

describe("disable_service", () => {
  const rows: [start: string, del: string, want: string][] = [
    ["a,b,c", "a", "b,c"],
    ["a,b,c", "b", "a,c"],
    ["a,b,c", "c", "a,b"],
    ["b,c", "b", "c"],
    ["c", "c", ""],
    ["", "d", ""],
    ["a,b,c,", "c", "a,b"],
    ["a,b", "c", "a,b"],
    ["a,b,c", "a c", "b"],
  ];
  test.each(rows)("%p - %p -> %p", (start, del, want) => {
    expect(lines([`ENABLED_SERVICES=${q(start)}; DISABLED_SERVICES=; disable_service ${del}; echo "[$ENABLED_SERVICES]"`])).toEqual([`[${want}]`]);
  });

  test("records DISABLED_SERVICES; verify_disabled_services dies on a direct edit", () => {
    const r = runLib(
      sb,
      'ENABLED_SERVICES=a,b\ndisable_service b\necho "[$DISABLED_SERVICES]"\nverify_disabled_services && echo fine\nENABLED_SERVICES+=,b\nverify_disabled_services\necho unreachable',
    );
    expect(r.stdout).toStartWith("[b]\nfine\n");
    expect(r.stderr).toContain("ENABLED_SERVICES directly modified to overcome 'disable_service b'");
    expect(r.code).toBe(1);
  });

  test("disable_all_services empties the list", () => {
    expect(lines(['ENABLED_SERVICES=a,b,c; disable_all_services; echo "[$ENABLED_SERVICES]"'])).toEqual(["[]"]);
  });
});

describe("disable_negated_services", () => {
  const rows: [start: string, want: string][] = [
    ["-a", ""],
    ["-a,a", ""],
    ["-a,-a", ""],
    ["a,-a", ""],
    ["b,a,-a", "b"],
    ["a,b,-a", "b"],
    ["a,-a,b", "b"],
    ["a,aa,-a", "aa"],
    ["aa,-a", "aa"],
    ["a_a, -a_a", ""],
    ["a-b, -a-b", ""],
    ["a-b, b, -a-b", "b"],
    ["a,-a,av2,b", "av2,b"],
    ["a,av2,-a,a", "av2"],
  ];
  test.each(rows)("%p -> %p", (start, want) => {
    expect(lines([`ENABLED_SERVICES=${q(start)}; disable_negated_services; echo "[$ENABLED_SERVICES]"`])).toEqual([`[${want}]`]);
  });
});

describe("remove_disabled_services", () => {
  const rows: [list: string, remove: string, want: string][] = [
    ["a,b,c", "a,c", "b"],
    ["a,b,c", "b", "a,c"],
    ["a,b,c,d", "a,c d", "b"],
    ["a,b c,d", "a d", "b,c"],
    ["a,b,c", "a,b,c", ""],
    ["a,b,c", "d", "a,b,c"],
    ["a,b,c", "", "a,b,c"],
    ["", "a,b,c", ""],
    ["", "", ""],
  ];
  test.each(rows)("%p - %p -> %p", (list, remove, want) => {
    expect(lines([`echo "[$(remove_disabled_services ${q(list)} ${q(remove)})]"`])).toEqual([`[${want}]`]);
  });
});

describe("is_service_enabled", () => {
  const rows: [enabled: string, ask: string, want: boolean][] = [
    ["key,mysql", "key", true],
    ["key,mysql", "mysql key", true],
    ["key,mysql", "rabbit", false],
    ["keystone", "key", false],
    ["n-api,n-cpu", "nova", true],
    ["c-vol", "cinder", true],
    ["g-api", "glance", true],
    ["q-svc", "neutron", true],
    ["neutron-api", "neutron", true],
    ["s-proxy", "swift", true],
    ["tr-api", "trove", true],
    ["h-eng,h-api", "heat", true],
    ["ceilometer-acompute", "ceilometer", true],
    ["sahara-api", "sahara", true],
    ["ir-api", "ironic", true],
    ["key,mysql", "nova", false],
    ["neutron-api", "nova", false],
    ["n-cpu", "n-cpu-1", true],
    ["swift", "s-proxy", true],
    ["g-api,-g-api", "glance", false],
    ["rabbit,-rabbit", "rabbit", false],
    ["rabbit,-rabbit,mysql", "mysql", true],
    ["a, b,-b", "b", false],
    ["a, b,-b", "a", true],
    ["", "key", false],
  ];
  test.each(rows)("ENABLED_SERVICES=%p: %p -> %p", (enabled, ask, want) => {
    expect(lines([`ENABLED_SERVICES=${q(enabled)}; DISABLED_SERVICES=; is_service_enabled ${ask} && echo yes || echo no`])).toEqual([want ? "yes" : "no"]);
  });

  test("disable_service of a catch-all name turns it off although its services stay", () => {
    expect(lines(["ENABLED_SERVICES=n-api,n-cpu; disable_service nova; is_service_enabled nova && echo yes || echo no; echo $ENABLED_SERVICES"])).toEqual([
      "no",
      "n-api,n-cpu",
    ]);
  });

  test("a plugin's is_NAME_enabled decides for NAME", () => {
    expect(
      lines([
        "is_foo_enabled() { [[ ,$ENABLED_SERVICES, == *,foo-* ]]; }",
        "ENABLED_SERVICES=foo-api; is_service_enabled foo && echo yes || echo no",
        "ENABLED_SERVICES=bar; is_service_enabled foo && echo yes || echo no",
        "is_nova_enabled() { return 1; }",
        "ENABLED_SERVICES=n-api; is_service_enabled nova && echo yes || echo no",
      ]),
    ).toEqual(["yes", "no", "no"]);
  });

  test("catch-all answers follow enable_service, disable_service and direct edits of the same length", () => {
    const ask = (s: string) => `is_service_enabled ${s} && echo "${s} yes" || echo "${s} no"`;
    expect(
      lines([
        "ENABLED_SERVICES=key,mysql; DISABLED_SERVICES=",
        ask("nova"),
        ask("cinder"),
        // appended by enable_service: the list only grows
        "enable_service n-api",
        ask("nova"),
        ask("cinder"),
        "enable_service c-vol",
        ask("cinder"),
        // removed: the list shrinks, and another name of the same length follows
        "disable_service n-api",
        ask("nova"),
        "enable_service x-api",
        ask("nova"),
        // a direct edit of the same length brings a prefix back
        "ENABLED_SERVICES=${ENABLED_SERVICES/x-api/n-abc}",
        ask("nova"),
        "ENABLED_SERVICES=${ENABLED_SERVICES/n-abc/x-abc}",
        ask("nova"),
        // a catch-all disable_service named stays off; a function decides for its name
        "ENABLED_SERVICES+=,g-api; disable_service glance",
        ask("glance"),
        "is_cinder_enabled() { return 1; }",
        ask("cinder"),
        "unset -f is_cinder_enabled",
        ask("cinder"),
        'echo "[$ENABLED_SERVICES] [$DISABLED_SERVICES]"',
      ]),
    ).toEqual([
      "nova no",
      "cinder no",
      "nova yes",
      "cinder no",
      "cinder yes",
      "nova no",
      "nova no",
      "nova yes",
      "nova no",
      "glance no",
      "cinder no",
      "cinder yes",
      "[key,mysql,c-vol,x-abc,g-api] [n-api,glance]",
    ]);
  });

  test("answers follow every change of the lists in one shell: direct edits, functions defined later, names listed twice, IFS", () => {
    const ask = (s: string) => `is_service_enabled ${s} && echo "${s} yes" || echo "${s} no"`;
    expect(
      lines([
        "ENABLED_SERVICES=ab,c",
        ask("ab"),
        // the same length, other names
        "ENABLED_SERVICES=ac,c",
        ask("ab"),
        ask("ac"),
        ask("foo"),
        "is_foo_enabled() { return 0; }",
        ask("foo"),
        'enable_service foo; echo "[$ENABLED_SERVICES]"',
        "unset -f is_foo_enabled",
        'enable_service bar; echo "[$ENABLED_SERVICES]"',
        "ENABLED_SERVICES+=,-bar",
        ask("bar"),
        'enable_service x; echo "[$ENABLED_SERVICES]"',
        'ENABLED_SERVICES=a,b,a,c; disable_service a; echo "[$ENABLED_SERVICES] [$DISABLED_SERVICES]"',
        ask("a"),
        'enable_service a; echo "[$ENABLED_SERVICES]"',
        "ENABLED_SERVICES=$ENABLED_SERVICES,a",
        ask("a"),
        'disable_service a; echo "[$ENABLED_SERVICES] [$DISABLED_SERVICES]"',
        "ENABLED_SERVICES=n-api,q-svc; DISABLED_SERVICES=",
        ask("nova"),
        ask("neutron"),
        ask("cinder"),
        'disable_service n-api; echo "[$ENABLED_SERVICES]"',
        ask("nova"),
        // another IFS: the general path, which splits at commas and spaces only
        "IFS=:; ENABLED_SERVICES=b:c,d; is_service_enabled c && echo 'c yes' || echo 'c no'; IFS=$' \\t\\n'",
        ask("d"),
      ]).map((l) => l.replace(/^\[WARNING\] \S+ /, "")),
    ).toEqual([
      "ab yes",
      "ab no",
      "ac yes",
      "foo no",
      "foo yes",
      // is_foo_enabled says yes: nothing to add
      "[ac,c]",
      "[ac,c,bar]",
      "bar no",
      // the negated entry is applied when the list is next changed
      "[ac,c,x]",
      "[b,c] [a]",
      "a no",
      "Attempt to enable_service a when it has been disabled",
      "[b,c]",
      "a yes",
      "[b,c] [a,a]",
      "nova yes",
      "neutron yes",
      "cinder no",
      "[q-svc]",
      "nova no",
      "c no",
      "d yes",
    ]);
  });

  test("disable_service cuts names at the start, the end and inside, and cleans a DISABLED_SERVICES set directly", () => {
    const show = 'echo "[$ENABLED_SERVICES] [$DISABLED_SERVICES]"';
    expect(
      lines([
        "ENABLED_SERVICES=a,b,c,d; DISABLED_SERVICES=",
        `disable_service a; ${show}`,
        `disable_service d; ${show}`,
        `disable_service c; ${show}`,
        `disable_service b; ${show}`,
        'DISABLED_SERVICES=",x,,y,"; ENABLED_SERVICES=p,q',
        `disable_service q; ${show}`,
        `disable_service p; ${show}`,
        'DISABLED_SERVICES="a*b"; ENABLED_SERVICES=p,q',
        `disable_service q; ${show}`,
        `DISABLED_SERVICES=azzb; disable_service zz; ${show}`,
        `echo "[$(remove_disabled_services "a,b c,,d" "b${"\t"}d")] [$(remove_disabled_services "a,b" "*")]"`,
      ]),
    ).toEqual(["[b,c,d] [a]", "[b,c] [a,d]", "[b] [a,d,c]", "[] [a,d,c,b]", "[p] [x,y,q]", "[] [x,y,q,p]", "[p] [a*b,q]", "[p] [azzb,zz]", "[a,c] [a,b]"]);
  });

  test("returns false rather than failing under errexit in a condition, and keeps xtrace", () => {
    const r = runLib(sb, "set -e\nENABLED_SERVICES=a\nset -x\nif is_service_enabled b; then echo yes; else echo no; fi\ncase $- in *x*) echo traced;; esac");
    expect(r.stdout).toBe("no\ntraced\n");
    expect(r.stderr).not.toContain("_ps_split_services");
  });
});

describe("plugins", () => {
  test("enable_plugin records DEVSTACK_PLUGINS, GITREPO, GITDIR, GITBRANCH (master by default)", () => {
    expect(
      lines([
        "DEST=/srv/stack",
        "enable_plugin heat https://opendev.org/openstack/heat",
        "enable_plugin foo file:///tmp/foo stable/2024.1",
        'echo "$DEVSTACK_PLUGINS"',
        'echo "${GITREPO[heat]} ${GITDIR[heat]} ${GITBRANCH[heat]}"',
        'echo "${GITREPO[foo]} ${GITDIR[foo]} ${GITBRANCH[foo]}"',
        "is_plugin_enabled heat && echo heat-on",
        "is_plugin_enabled he || echo he-off",
        "is_plugin_enabled bar || echo bar-off",
      ]),
    ).toEqual([
      "heat,foo",
      "https://opendev.org/openstack/heat /srv/stack/heat master",
      "file:///tmp/foo /srv/stack/foo stable/2024.1",
      "heat-on",
      "he-off",
      "bar-off",
    ]);
  });

  test("enabling a plugin twice dies", () => {
    const r = runLib(sb, "enable_plugin a http://x/a\nenable_plugin a http://x/a");
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("Plugin attempted to be enabled twice: a http://x/a master");
  });

  test("define_plugin and plugin_requires only record, and succeed", () => {
    expect(
      lines([
        "set -e",
        "PLUGSTACK_PLUGIN=networking-foo",
        "define_plugin foo",
        "plugin_requires foo neutron",
        "plugin_requires foo octavia",
        'echo "${_PS_PLUGIN_DEFINED[foo]} / ${_PS_PLUGIN_REQUIRES[foo]}"',
      ]),
    ).toEqual(["networking-foo / neutron octavia"]);
  });
});
