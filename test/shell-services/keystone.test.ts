// keystone.sh: globals, service users and the keystone config sections.
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { LibHarness } from "../compat/harness.ts";

let h: LibHarness;
beforeEach(async () => {
  h = await LibHarness.create({ env: { REGION_NAME: "RegionOne", SERVICE_PROTOCOL: "http" } });
});
afterEach(() => h.dispose());

/** Parse `iniget`-able output of `cat FILE` into section -> key -> value. */
function ini(text: string): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  let sec = "";
  for (const line of text.split("\n")) {
    const m = /^\[(.+)\]$/.exec(line);
    if (m?.[1]) {
      sec = m[1];
      out[sec] ??= {};
      continue;
    }
    const kv = /^([^=#]+?)\s*=\s*(.*)$/.exec(line);
    if (kv?.[1] && sec) {
      const section = out[sec] ?? {};
      out[sec] = section;
      section[kv[1]] = kv[2] ?? "";
    }
  }
  return out;
}

describe("globals", () => {
  test("derive from SERVICE_HOST and SERVICE_PROTOCOL", () => {
    const out = h.ok(
      `echo "$KEYSTONE_SERVICE_URI|$KEYSTONE_SERVICE_URI_V3|$KEYSTONE_AUTH_URI|$KEYSTONE_AUTH_URI_V3|$SERVICE_PROJECT_NAME|$SERVICE_TENANT_NAME|$SERVICE_DOMAIN_NAME|$KEYSTONE_SERVICE_HOST"`,
    );
    expect(out.trim()).toBe(
      "http://10.0.0.5/identity|http://10.0.0.5/identity/v3|http://10.0.0.5/identity|http://10.0.0.5/identity/v3|service|service|Default|10.0.0.5",
    );
  });

  test("re-applying the defaults follows inputs set later; a user's value wins", () => {
    const out = h.ok(`SERVICE_HOST=10.9.9.9
_ps_apply_lib_defaults
echo "$KEYSTONE_SERVICE_URI"
KEYSTONE_SERVICE_HOST=keystone.example.org
SERVICE_PROTOCOL=https
_ps_apply_lib_defaults
echo "$KEYSTONE_SERVICE_URI $KEYSTONE_AUTH_URI_V3"`);
    expect(out.trim().split("\n")).toEqual(["http://10.9.9.9/identity", "https://keystone.example.org/identity https://keystone.example.org/identity/v3"]);
  });

  test("sourcing the library again keeps values plugins set", () => {
    const out = h.ok(`SERVICE_PROJECT_NAME=services
source "$PS_PRELUDE"
echo "$SERVICE_PROJECT_NAME $SERVICE_TENANT_NAME"`);
    expect(out.trim()).toBe("services services");
  });
});

describe("configure_keystone_authtoken_middleware", () => {
  test("writes DevStack's [keystone_authtoken] keys", () => {
    const conf = h.path("home/svc.conf");
    h.ok(`configure_keystone_authtoken_middleware ${conf} glance`);
    expect(ini(h.read("home/svc.conf")).keystone_authtoken).toEqual({
      auth_type: "password",
      interface: "public",
      www_authenticate_uri: "http://10.0.0.5/identity",
      auth_url: "http://10.0.0.5/identity",
      username: "glance",
      user_domain_name: "Default",
      password: "secretservice",
      project_name: "service",
      project_domain_name: "Default",
      region_name: "RegionOne",
      cafile: h.path("dest/data/ca-bundle.pem"),
      memcached_servers: "localhost:11211",
    });
  });

  test("section and service_type arguments", () => {
    const conf = h.path("home/proxy.conf");
    h.ok(`configure_keystone_authtoken_middleware ${conf} swift filter:authtoken object-store`);
    const s = ini(h.read("home/proxy.conf"))["filter:authtoken"];
    expect(s?.username).toBe("swift");
    expect(s?.service_type).toBe("object-store");
  });

  test("configure_auth_token_middleware takes the section as 4th argument", () => {
    const conf = h.path("home/old.conf");
    h.ok(`configure_auth_token_middleware ${conf} heat /var/cache/heat keystone_authtoken_x`);
    expect(ini(h.read("home/old.conf")).keystone_authtoken_x?.username).toBe("heat");
  });

  test("configure_keystoneauth writes a client section without middleware keys", () => {
    const conf = h.path("home/c.conf");
    h.ok(`configure_keystoneauth ${conf} nova placement`);
    const s = ini(h.read("home/c.conf")).placement ?? {};
    expect(s.auth_type).toBe("password");
    expect(s.username).toBe("nova");
    expect(s.www_authenticate_uri).toBeUndefined();
    expect(s.memcached_servers).toBeUndefined();
  });
});

describe("create_service_user", () => {
  test("user in the service project with the service role", () => {
    h.ok(`create_service_user glance`);
    const lines = h.lines("openstack");
    expect(lines[0]).toBe("openstack user create glance --password secretservice --domain=Default --or-show -f value -c id");
    expect(lines.filter((l) => l.includes("role add"))).toEqual([
      expect.stringMatching(/^openstack role add service --user [0-9a-f]{32} --project service --user-domain Default --project-domain Default$/),
    ]);
  });

  test("another role also adds the service role", () => {
    h.ok(`create_service_user heat admin`);
    const adds = h.lines("openstack").filter((l) => l.includes("role add"));
    expect(adds.map((l) => l.split(" ")[3])).toEqual(["admin", "service"]);
  });
});

describe("start_keystone / stop_keystone", () => {
  test("runs keystone under uwsgi, waits for it and flushes memcached", () => {
    h.ok(`run_process() { echo "run_process $*"; }
stop_process() { echo "stop_process $*"; }
start_keystone
stop_keystone`);
    const curl = h.lines("curl");
    expect(curl[0]).toContain("http://10.0.0.5/identity/v3/");
    expect(h.lines("systemctl")).toContain("systemctl restart memcached");
  });

  test("dies naming the URL when keystone never answers", () => {
    const r = h.run(
      `run_process() { :; }
SERVICE_TIMEOUT=1 start_keystone`,
      { SHIM_CURL_CODE: "000" },
    );
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("keystone did not start");
  });
});
