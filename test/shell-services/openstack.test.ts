// openstack.sh: get-or-create helpers against the recording openstack shim.
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { LibHarness } from "../compat/harness.ts";

let h: LibHarness;
beforeEach(async () => {
  h = await LibHarness.create();
});
afterEach(() => h.dispose());

const ok = (script: string) => h.ok(script);

describe("get_or_create_service", () => {
  test("creates the service once, then finds it by type", () => {
    const out = ok(`get_or_create_service nova compute "Nova Compute"\nget_or_create_service nova compute "Nova Compute"`);
    const [first, second] = out.trim().split("\n");
    expect(first).toMatch(/^[0-9a-f]{32}$/);
    expect(second).toBe(first);
    expect(h.lines("openstack")).toEqual([
      "openstack service show compute -f value -c id",
      "openstack service create compute --name nova --description=Nova Compute -f value -c id",
      "openstack service show compute -f value -c id",
    ]);
  });

  test("uses the system-scoped cloud when clouds.yaml defines devstack-system-admin", () => {
    ok(`mkdir -p "$HOME/.config/openstack"
printf 'clouds:\\n  devstack-system-admin:\\n    auth: {}\\n' >"$HOME/.config/openstack/clouds.yaml"
get_or_create_service glance image "Glance"`);
    expect(h.lines("openstack")[0]).toBe("openstack --os-cloud devstack-system-admin service show image -f value -c id");
  });
});

describe("get_or_create_endpoint", () => {
  test("one endpoint per given interface; prints the public id; idempotent", () => {
    const out = ok(`get_or_create_endpoint compute RegionOne http://h/pub http://h/adm http://h/int
get_or_create_endpoint compute RegionOne http://h/pub http://h/adm http://h/int`);
    const ids = out.trim().split("\n");
    expect(ids).toHaveLength(2);
    expect(ids[0]).toBe(ids[1]);
    const creates = h.lines("openstack").filter((l) => l.includes("endpoint create"));
    expect(creates).toEqual([
      "openstack endpoint create compute public http://h/pub --region RegionOne -f value -c id",
      "openstack endpoint create compute admin http://h/adm --region RegionOne -f value -c id",
      "openstack endpoint create compute internal http://h/int --region RegionOne -f value -c id",
    ]);
  });

  test("only the public endpoint when no admin or internal URL is given", () => {
    ok(`get_or_create_endpoint image RegionTwo http://h/img`);
    expect(h.lines("openstack")).toEqual([
      "openstack endpoint list --service image --interface public --region RegionTwo -c ID -f value",
      "openstack endpoint create image public http://h/img --region RegionTwo -f value -c id",
    ]);
  });
});

describe("identity objects", () => {
  const cases: [string, string, string[]][] = [
    [
      "get_or_create_user alice pw Default a@example.org",
      "user",
      ["openstack user create alice --password pw --domain=Default --email=a@example.org --or-show -f value -c id"],
    ],
    ["get_or_create_user bob pw Default", "user", ["openstack user create bob --password pw --domain=Default --or-show -f value -c id"]],
    ["get_or_create_project demo Default", "project", ["openstack project create demo --domain=Default --or-show -f value -c id"]],
    ["get_or_create_role reader", "role", ["openstack role create reader --or-show -f value -c id"]],
    ["get_or_create_group admins Default", "group", ["openstack group create admins --domain Default --description  --or-show -f value -c id"]],
    [
      "get_or_create_domain acme 'Acme Inc'",
      "domain",
      ["openstack domain show acme -f value -c id", "openstack domain create acme --description Acme Inc -f value -c id"],
    ],
  ];
  for (const [call, kind, expected] of cases) {
    test(`${call} prints the ${kind} id`, () => {
      const out = ok(call);
      expect(out.trim()).toMatch(/^[0-9a-f]{32}$/);
      expect(h.lines("openstack")).toEqual(expected);
    });
  }

  test("get_or_create_domain finds an existing domain without creating it", () => {
    ok(`get_or_create_domain acme x >/dev/null`);
    h.clearCalls();
    ok(`get_or_create_domain acme x`);
    expect(h.lines("openstack")).toEqual(["openstack domain show acme -f value -c id"]);
  });
});

describe("role assignments", () => {
  test("get_or_add_user_project_role adds the role only when missing", () => {
    const out = ok(`get_or_add_user_project_role member u1 p1 Default Default
get_or_add_user_project_role member u1 p1 Default Default`);
    const [a, b] = out.trim().split("\n");
    expect(a).toMatch(/^[0-9a-f]{32}$/);
    expect(b).toBe(a);
    const adds = h.lines("openstack").filter((l) => l.includes("role add"));
    expect(adds).toEqual(["openstack role add member --user u1 --project p1 --user-domain Default --project-domain Default"]);
  });

  test("get_or_add_user_domain_role and get_or_add_group_project_role", () => {
    ok(`get_or_add_user_domain_role admin u1 Default >/dev/null
get_or_add_group_project_role reader g1 p1 >/dev/null`);
    const adds = h.lines("openstack").filter((l) => l.includes("role add"));
    expect(adds).toEqual(["openstack role add admin --user u1 --domain Default", "openstack role add reader --group g1 --project p1"]);
  });
});

describe("get_field and generate_hex_string", () => {
  const rows: [string, string][] = [
    ["2", "abc123"],
    ["1", "id"],
    ["-1", "abc123"],
  ];
  for (const [n, want] of rows) {
    test(`get_field ${n}`, () => {
      expect(ok(`printf "| id | abc123 |\\n" | get_field ${n}`).trim()).toBe(want);
    });
  }

  for (const size of [1, 16, 32]) {
    test(`generate_hex_string ${size} gives ${size * 2} hex digits`, () => {
      expect(ok(`generate_hex_string ${size}`).trim()).toMatch(new RegExp(`^[0-9a-f]{${size * 2}}$`));
    });
  }
});

test("a missing openstack client names the tool and the plugin", async () => {
  const bare = await LibHarness.create({ without: ["openstack"], isolatePath: true });
  try {
    const r = bare.run(`PLUGSTACK_PLUGIN=heat get_or_create_role x`);
    expect(r.stderr).toContain("'openstack' is not installed");
    expect(r.stderr).toContain("plugin 'heat'");
  } finally {
    bare.dispose();
  }
});
