// rpc.sh: transport URLs and iniset_rpc_backend.
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { LibHarness } from "../compat/harness.ts";

let h: LibHarness;
beforeEach(async () => {
  h = await LibHarness.create();
});
afterEach(() => h.dispose());

describe("iniset_rpc_backend", () => {
  test("writes transport_url when rabbit is enabled", () => {
    const conf = h.path("home/a.conf");
    h.ok(`enable_service rabbit
_ps_apply_lib_defaults
iniset_rpc_backend heat ${conf}
iniget ${conf} DEFAULT transport_url`);
    expect(h.ok(`iniget ${conf} DEFAULT transport_url`).trim()).toBe("rabbit://stackrabbit:secretrabbit@10.0.0.5:5672/");
  });

  test("section, vhost and heartbeat options", () => {
    const conf = h.path("home/b.conf");
    h.ok(`RABBIT_HEARTBEAT_RATE=4
enable_service rabbit
_ps_apply_lib_defaults
iniset_rpc_backend nova ${conf} cell1 nova_cell1`);
    expect(h.ok(`iniget ${conf} cell1 transport_url; iniget ${conf} oslo_messaging_rabbit heartbeat_rate`).trim().split("\n")).toEqual([
      "rabbit://stackrabbit:secretrabbit@10.0.0.5:5672/nova_cell1",
      "4",
    ]);
  });

  test("a remote rabbit (RABBIT_HOST and RABBIT_PASSWORD) without the local service", () => {
    const conf = h.path("home/c.conf");
    h.ok(`disable_service rabbit
RABBIT_HOST=mq.example.org iniset_rpc_backend x ${conf}`);
    expect(h.ok(`iniget ${conf} DEFAULT transport_url`).trim()).toBe("rabbit://stackrabbit:secretrabbit@mq.example.org:5672/");
  });

  test("writes nothing without any rabbit", () => {
    const conf = h.path("home/d.conf");
    h.ok(`disable_service rabbit
unset RABBIT_HOST
iniset_rpc_backend x ${conf}
[[ ! -e ${conf} ]]`);
  });
});

test("rpc_backend_add_vhost calls rabbitmqctl", () => {
  h.ok(`enable_service rabbit; rpc_backend_add_vhost nova_cell1`);
  expect(h.lines("rabbitmqctl")).toEqual(["rabbitmqctl add_vhost nova_cell1", "rabbitmqctl set_permissions -p nova_cell1 stackrabbit .* .* .*"]);
});
