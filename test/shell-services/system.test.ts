// system.sh and stack-helpers.sh: services, users, addresses, timers,
// versions, passwords, waiting for services, installing a service.
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { LibHarness } from "../compat/harness.ts";

let h: LibHarness;
beforeEach(async () => {
  h = await LibHarness.create();
});
afterEach(() => h.dispose());

test("sourcing the library and applying its defaults prints nothing, also with xtrace on", () => {
  const r = h.run(`set -o xtrace; source "$TOP_DIR/functions"; _ps_apply_lib_defaults; set +o xtrace`);
  expect(r.code).toBe(0);
  expect(r.stdout).toBe("");
  // the entry file and the call itself trace a few lines; the defaults do not
  expect(r.stderr.split("\n").filter((l) => l.startsWith("+")).length).toBeLessThan(20);
  expect(r.stderr).not.toContain("_ps_default ");
});

describe("service control", () => {
  const rows: [string, string, string][] = [
    ["restart_service", "systemctl restart memcached", "service memcached restart"],
    ["start_service", "systemctl start memcached", "service memcached start"],
    ["stop_service", "systemctl stop memcached", "service memcached stop"],
    ["reload_service", "systemctl reload-or-restart memcached", "service memcached reload"],
  ];
  for (const [fn, systemd, sysv] of rows) {
    test(`${fn} with and without systemd`, () => {
      h.ok(`${fn} memcached`);
      h.ok(`${fn} memcached`, { PLUGSTACK_SYSTEMD: "False" });
      expect(h.lines("systemctl")).toEqual([systemd]);
      expect(h.lines("service")).toEqual([sysv]);
    });
  }

  test("a missing systemctl names the tool and the plugin", async () => {
    const bare = await LibHarness.create({ without: ["systemctl"], isolatePath: true });
    try {
      const r = bare.run(`PLUGSTACK_PLUGIN=octavia restart_service apache2`);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toContain("'systemctl' is not installed: restart_service needs it (plugin 'octavia' asked for it)");
      expect(r.stderr).toContain("plugin 'octavia'");
    } finally {
      bare.dispose();
    }
  });
});

test("add_user_to_group, safe_chown and safe_chmod", () => {
  h.ok(`add_user_to_group stack libvirt
touch $HOME/f
safe_chown -R root $HOME/f
safe_chmod 0640 $HOME/f
stat -c %a $HOME/f`);
  expect(h.lines("usermod")).toEqual(["usermod -a -G libvirt stack"]);
  expect(h.ok(`stat -c %a $HOME/f`).trim()).toBe("640");
});

describe("addresses", () => {
  const unquote: [string, string][] = [
    ["[2001:db8::1]", "2001:db8::1"],
    ["10.0.0.1", "10.0.0.1"],
  ];
  for (const [input, want] of unquote) {
    test(`ipv6_unquote ${input}`, () => {
      expect(h.ok(`ipv6_unquote '${input}'`).trim()).toBe(want);
    });
  }

  const masks: [number, string][] = [
    [4, "240.0.0.0"],
    [8, "255.0.0.0"],
    [12, "255.240.0.0"],
    [20, "255.255.240.0"],
    [24, "255.255.255.0"],
    [30, "255.255.255.252"],
    [32, "255.255.255.255"],
    [0, "0.0.0.0"],
  ];
  for (const [bits, want] of masks) {
    test(`cidr2netmask ${bits}`, () => {
      expect(h.ok(`cidr2netmask ${bits}`).trim()).toBe(want);
    });
  }

  test("maskip and address_in_net", () => {
    const out = h.ok(`maskip 169.254.169.254 255.255.240.0
address_in_net 10.10.10.1 10.10.10.0/24 && echo in
address_in_net 10.10.10.1 11.11.11.0/8 || echo out
is_ipv4_address 10.1.2.3 && echo v4
is_ipv4_address fe80::1 || echo not-v4`);
    expect(out.trim().split("\n")).toEqual(["169.254.160.0", "in", "out", "v4", "not-v4"]);
  });
});

describe("vercmp", () => {
  const rows: [string, string, string, boolean][] = [
    ["2.0", ">", "1.0", true],
    ["1.0.1", ">=", "1.0", true],
    ["1.0.1b", ">", "1.0.1a", true],
    ["2.0-rc3", ">", "2.0-rc1", true],
    ["1.0", ">", "1.0", false],
    ["0.9.9", ">=", "1.0", false],
    ["1.0", "<", "1.0.1", true],
    ["1.0", "<=", "1.0", true],
    ["1.0.1", "==", "1.0.2", false],
  ];
  for (const [a, op, b, want] of rows) {
    test(`${a} ${op} ${b}`, () => {
      expect(h.ok(`vercmp ${a} '${op}' ${b} && echo T || echo F`).trim()).toBe(want ? "T" : "F");
    });
  }

  test("an unknown operator dies", () => {
    expect(h.run(`vercmp 1 '~' 2`).code).not.toBe(0);
  });
});

describe("timers and retries", () => {
  test("time_start/time_stop accumulate; misuse dies", () => {
    expect(h.ok(`time_start t; time_stop t; time_start t; time_stop t; [[ \${_TIME_TOTAL[t]} -ge 0 ]] && echo ok`).trim()).toBe("ok");
    expect(h.run(`time_start t; time_start t`).stderr).toContain("already running");
    expect(h.run(`time_stop never`).stderr).toContain("never started");
  });

  test("test_with_retry succeeds once the command does, else dies with the message", () => {
    h.ok(`rm -f $HOME/flag; (sleep 0.3; touch $HOME/flag) & test_with_retry "test -e $HOME/flag" "no flag" 5 0.1`);
    const r = h.run(`test_with_retry false "never true" 1 0.1`);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("never true");
  });
});

describe("environment", () => {
  test("running_in_container follows systemd-detect-virt", () => {
    expect(h.ok(`running_in_container && echo yes || echo no`, { SHIM_CONTAINER: "docker" }).trim()).toBe("yes");
    expect(h.ok(`running_in_container && echo yes || echo no`, { SHIM_CONTAINER: "none" }).trim()).toBe("no");
  });

  test("export_proxy_variables exports only what is set", () => {
    const out = h.ok(`unset http_proxy https_proxy no_proxy; http_proxy=http://p:3128; export_proxy_variables; env | grep -E '^(https?|no)_proxy=' | sort`);
    expect(out.trim()).toBe("http_proxy=http://p:3128");
  });
});

describe("stack helpers", () => {
  test("read_password keeps a set value and otherwise picks and stores one", () => {
    const out = h.ok(`X_PW=given; read_password X_PW "prompt"; echo "$X_PW"; unset Y_PW; read_password Y_PW "prompt"; echo "$Y_PW"`);
    const [given, picked] = out.trim().split("\n");
    expect(given).toBe("given");
    expect(picked).toMatch(/^[0-9a-f]{20}$/);
    expect(h.read("top/.localrc.password")).toBe(`Y_PW=${picked}\n`);
    expect(h.ok(`unset Y_PW; read_password Y_PW p; echo "$Y_PW"`).trim()).toBe(picked ?? "");
  });

  test("wait_for_service returns 0 once the URL answers, non-zero on timeout", () => {
    h.ok(`wait_for_service 5 http://10.0.0.5/identity`);
    expect(h.lines("curl")[0]).toBe("curl -g -k --noproxy * -s -o /dev/null -w %{http_code} http://10.0.0.5/identity");
    expect(h.run(`wait_for_service 1 http://x`, { SHIM_CURL_CODE: "000" }).code).not.toBe(0);
  });

  test("stack_install_service runs install_NAME, inside its venv when configured", () => {
    expect(h.ok(`install_fx() { echo "installing in \${PIP_VIRTUAL_ENV:-system}"; }; stack_install_service fx`).trim()).toBe("installing in system");
    const r = h.run(`stack_install_service nothing`);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("No function declared with name 'install_nothing'.");
  });
});

describe("stack.sh passwords and service path conventions", () => {
  test("_ps_stack_passwords keeps given passwords and picks the others once", () => {
    const env = { DATABASE_PASSWORD: "", RABBIT_PASSWORD: "", ADMIN_PASSWORD: "adm", SERVICE_PASSWORD: "", MYSQL_PASSWORD: "my" };
    const out = h.ok(`_ps_stack_passwords; echo "$DATABASE_PASSWORD $ADMIN_PASSWORD $RABBIT_PASSWORD $SERVICE_PASSWORD"`, env);
    const [db, admin, rabbit, service] = out.trim().split(" ");
    expect([db, admin]).toEqual(["my", "adm"]);
    expect(rabbit).toMatch(/^[0-9a-f]{20}$/);
    expect(service).toMatch(/^[0-9a-f]{20}$/);
    expect(h.read("top/.localrc.password")).toBe(`RABBIT_PASSWORD=${rabbit}\nSERVICE_PASSWORD=${service}\n`);
    const again = h.ok(`_ps_stack_passwords; echo "$RABBIT_PASSWORD $SERVICE_PASSWORD"`, env);
    expect(again.trim()).toBe(`${rabbit} ${service}`);
  });

  test("paths of other DevStack services that plugins read", () => {
    const out = h.ok(`echo "$TEMPEST_CONFIG|$HORIZON_DIR|$CINDER_CONF|$GLANCE_API_CONF"; [[ -n $LOCAL_HOSTNAME ]] && echo host`);
    expect(out.trim().split("\n")).toEqual([
      `${h.path("dest/tempest/etc/tempest.conf")}|${h.path("dest/horizon")}|/etc/cinder/cinder.conf|/etc/glance/glance-api.conf`,
      "host",
    ]);
  });
});
