// neutron.sh: the lists plugins extend, ML2 config, rootwrap filters,
// placement, and starting/stopping neutron processes.
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { LibHarness } from "../compat/harness.ts";

let h: LibHarness;
beforeEach(async () => {
  h = await LibHarness.create({ env: { REGION_NAME: "RegionOne" } });
});
afterEach(() => h.dispose());

describe("list helpers append once, keeping order", () => {
  const rows: [string, string, string][] = [
    ["neutron_service_plugin_class_add", "Q_SERVICE_PLUGIN_CLASSES", "router,qos"],
    ["plugin_agent_add_l2_agent_extension", "L2_AGENT_EXTENSIONS", "qos,fdb"],
    ["plugin_agent_add_l3_agent_extension", "L3_AGENT_EXTENSIONS", "port_forwarding,fip_qos"],
  ];
  for (const [fn, variable, want] of rows) {
    test(fn, () => {
      const [a, b] = want.split(",");
      expect(h.ok(`${fn} ${a}; ${fn} ${b}; ${fn} ${a}; echo "$${variable}"`).trim()).toBe(want);
    });
  }

  test("neutron_ml2_extension_driver_add extends the port_security default", () => {
    expect(h.ok(`neutron_ml2_extension_driver_add qos; neutron_ml2_extension_driver_add port_security; echo "$Q_ML2_PLUGIN_EXT_DRIVERS"`).trim()).toBe(
      "port_security,qos",
    );
  });

  test("neutron_server_config_add adds --config-file options to neutron-server", () => {
    const out = h.ok(`neutron_server_config_add /etc/neutron/a.ini
neutron_server_config_add /etc/neutron/b.ini
_ps_neutron_config_files`);
    expect(out.trim()).toBe(
      "--config-file /etc/neutron/neutron.conf --config-file /etc/neutron/plugins/ml2/ml2_conf.ini --config-file /etc/neutron/a.ini --config-file /etc/neutron/b.ini",
    );
  });
});

test("populate_ml2_config splits at the first '='", () => {
  const conf = h.path("home/ml2.ini");
  h.ok(`populate_ml2_config ${conf} ml2 mechanism_drivers=ovn,logger
populate_ml2_config ${conf} ml2_type_vlan network_vlan_ranges=physnet1:100:200 extra=a=b
populate_ml2_config ${conf} ml2`);
  expect(
    h.ok(`iniget ${conf} ml2 mechanism_drivers; iniget ${conf} ml2_type_vlan network_vlan_ranges; iniget ${conf} ml2_type_vlan extra`).trim().split("\n"),
  ).toEqual(["ovn,logger", "physnet1:100:200", "a=b"]);
});

describe("is_neutron_legacy_enabled", () => {
  const rows: [string, boolean][] = [
    ["", true],
    ["neutron-api", true],
    ["neutron", false],
    ["c-api,neutron", false],
  ];
  for (const [disabled, want] of rows) {
    test(`DISABLED_SERVICES='${disabled}'`, () => {
      expect(h.ok(`DISABLED_SERVICES='${disabled}'; is_neutron_legacy_enabled && echo yes || echo no`).trim()).toBe(want ? "yes" : "no");
    });
  }
});

test("neutron_deploy_rootwrap_filters installs the filters", () => {
  const src = h.path("src-neutron");
  mkdirSync(`${src}/etc/neutron/rootwrap.d`, { recursive: true });
  writeFileSync(`${src}/etc/neutron/rootwrap.d/fx.filters`, "[Filters]\n");
  h.ok(`Q_CONF_ROOTWRAP_D=$HOME/rootwrap.d neutron_deploy_rootwrap_filters ${src}`);
  expect(h.read("home/rootwrap.d/fx.filters")).toBe("[Filters]\n");
  h.ok(`rm -rf $HOME/rootwrap.d; Q_USE_ROOTWRAP=False Q_CONF_ROOTWRAP_D=$HOME/rootwrap.d neutron_deploy_rootwrap_filters ${src}; [[ ! -e $HOME/rootwrap.d ]]`);
});

test("configure_placement_neutron writes the [placement] section", () => {
  const out = h.ok(`NEUTRON_CONF=$HOME/neutron.conf
configure_placement_neutron
for k in auth_type auth_url username password user_domain_name project_name project_domain_name region_name; do
  echo "$k=$(iniget $NEUTRON_CONF placement $k)"
done`);
  expect(out.trim().split("\n")).toEqual([
    "auth_type=password",
    "auth_url=http://10.0.0.5/identity",
    "username=placement",
    "password=secretservice",
    "user_domain_name=Default",
    "project_name=service",
    "project_domain_name=Default",
    "region_name=RegionOne",
  ]);
});

describe("processes", () => {
  const fakeProcess = `run_process() { echo "run $1|$2"; }
stop_process() { echo "stop $1"; }
`;
  test("start_neutron under uwsgi: api, rpc server, then agents", () => {
    const out = h.ok(`${fakeProcess}NEUTRON_BIN_DIR=/venv/bin Q_AGENT=openvswitch start_neutron`);
    const runs = out.split("\n").filter((l) => l.startsWith("run "));
    expect(runs.map((l) => l.split("|")[0])).toEqual([
      "run neutron-api",
      "run neutron-rpc-server",
      "run q-agt",
      "run q-dhcp",
      "run q-l3",
      "run q-meta",
      "run q-metering",
    ]);
    expect(runs[1]).toContain("/venv/bin/neutron-rpc-server --config-file /etc/neutron/neutron.conf");
    expect(runs[2]).toContain("/venv/bin/neutron-openvswitch-agent");
    expect(h.lines("curl")[0]).toContain("http://10.0.0.5/networking/");
  });

  test("start_neutron_service_and_check without mod_wsgi runs q-svc on Q_PORT", () => {
    const out = h.ok(`${fakeProcess}NEUTRON_DEPLOY_MOD_WSGI=False NEUTRON_BIN_DIR=/b start_neutron_service_and_check`);
    expect(out).toContain("run q-svc|/b/neutron-server --config-file");
    expect(h.lines("curl")[0]).toContain("http://10.0.0.5:9696/");
  });

  test("start_neutron_agents with OVN starts no L2 agent", () => {
    const out = h.ok(`${fakeProcess}start_neutron_agents`);
    // the other agents still start; q-agt is not among them
    expect(
      out
        .split("\n")
        .filter((l) => l.startsWith("run "))
        .map((l) => l.split("|")[0]),
    ).toEqual(["run q-dhcp", "run q-l3", "run q-meta", "run q-metering"]);
  });

  test("stop_neutron stops every neutron service", () => {
    const out = h.ok(`${fakeProcess}stop_neutron`);
    expect(out.trim().split("\n")).toEqual(
      ["neutron-api", "neutron-rpc-server", "q-svc", "q-agt", "q-dhcp", "q-l3", "q-meta", "q-metering"].map((s) => `stop ${s}`),
    );
  });
});

test("globals have DevStack's defaults", () => {
  const out = h.ok(`echo "$NEUTRON_CONF|$Q_PLUGIN_CONF_FILE|$Q_AGENT|$Q_L3_CONF_FILE|$PUBLIC_BRIDGE|$Q_ROUTER_NAME|$SUBNETPOOL_SIZE_V4"
[[ $FIXED_RANGE_V6 =~ ^fd[0-9a-f]{2}:[0-9a-f]{4}:[0-9a-f]{4}::/64$ ]] && echo v6ok
old=$FIXED_RANGE_V6; _ps_apply_lib_defaults; [[ $FIXED_RANGE_V6 == "$old" ]] && echo stable`);
  expect(out.trim().split("\n")).toEqual([
    "/etc/neutron/neutron.conf|etc/neutron/plugins/ml2/ml2_conf.ini|ovn|/etc/neutron/l3_agent.ini|br-ex|router1|26",
    "v6ok",
    "stable",
  ]);
});
