// nova.sh, swift.sh, ovn.sh, lvm.sh: compute, object storage, OVN and
// loop-device storage helpers.
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { LibHarness } from "../compat/harness.ts";

let h: LibHarness;
beforeEach(async () => {
  h = await LibHarness.create({ env: { REGION_NAME: "RegionOne" } });
});
afterEach(() => h.dispose());

const fakeProcess = `run_process() { echo "run $1|$2|\${3:-}"; }
stop_process() { echo "stop $1"; }
`;

describe("nova", () => {
  test("conductor_conf names the per-cell config", () => {
    expect(h.ok(`conductor_conf 1`).trim()).toBe("/etc/nova/nova_cell1.conf");
  });

  test("configure_placement_nova_compute writes [placement] into the given file", () => {
    const conf = h.path("home/nova-cpu.conf");
    h.ok(`configure_placement_nova_compute ${conf}`);
    expect(h.ok(`iniget ${conf} placement username; iniget ${conf} placement auth_url`).trim().split("\n")).toEqual(["placement", "http://10.0.0.5/identity"]);
  });

  test("start_nova_compute derives nova-cpu.conf without database access (libvirt)", () => {
    const out = h.ok(`${fakeProcess}NOVA_CONF=$HOME/nova.conf NOVA_CPU_CONF=$HOME/nova-cpu.conf NOVA_BIN_DIR=/b LIBVIRT_TYPE=qemu
iniset $NOVA_CONF database connection mysql://x
iniset $NOVA_CONF DEFAULT debug True
start_nova_compute
stop_nova_compute`);
    expect(out).toContain(`run n-cpu|/b/nova-compute --config-file ${h.path("home/nova-cpu.conf")}|libvirt`);
    expect(out).toContain("stop n-cpu");
    const cpu = h.read("home/nova-cpu.conf");
    expect(cpu).toContain("debug = True");
    expect(cpu).not.toContain("connection");
    expect(cpu).toContain("libvirt_disable_apic = True");
  });

  test("the fake driver runs NUMBER_FAKE_NOVA_COMPUTE services", () => {
    const out =
      h.ok(`${fakeProcess}VIRT_DRIVER=fake NUMBER_FAKE_NOVA_COMPUTE=2 NOVA_CONF_DIR=$HOME NOVA_FAKE_CONF=$HOME/fake.conf NOVA_CPU_CONF=$HOME/cpu.conf NOVA_CONF=$HOME/none.conf
start_nova_compute; stop_nova_compute`);
    expect(
      out
        .split("\n")
        .filter((l) => /^(run|stop) /.test(l))
        .map((l) => l.split("|")[0]),
    ).toEqual(["run n-cpu-1", "run n-cpu-2", "stop n-cpu-1", "stop n-cpu-2"]);
  });

  test("install_libvirt installs the distribution's qemu and libvirt", () => {
    h.ok(`install_libvirt`);
    const apt = h.lines("apt-get").join("\n");
    expect(apt).toContain("libvirt-daemon-system");
    expect(apt).toContain("python3-libvirt");
  });
});

describe("swift", () => {
  test("start_swift restarts memcached and rsync, then the servers and the proxy", () => {
    const out = h.ok(`${fakeProcess}SWIFT_BIN_DIR=/b start_swift; stop_swift`);
    expect(h.lines("systemctl")).toEqual(["systemctl restart memcached", "systemctl restart rsync"]);
    const lines = out
      .split("\n")
      .filter((l) => /^(run|stop) /.test(l))
      .map((l) => l.split("|")[0]);
    expect(lines).toEqual([
      "run s-account",
      "run s-container",
      "run s-object",
      "run s-proxy",
      "stop s-proxy",
      "stop s-object",
      "stop s-container",
      "stop s-account",
    ]);
    expect(out).toContain("run s-proxy|/b/swift-proxy-server /etc/swift/proxy-server.conf -v");
  });
});

describe("ovn", () => {
  test("init_ovn empties the OVN and OVS databases", () => {
    h.ok(`mkdir -p "$OVN_DATADIR" "$OVS_DATADIR"; touch "$OVN_DATADIR/ovnnb_db.db" "$OVS_DATADIR/conf.db" "$OVS_DATADIR/keep.txt"; init_ovn`);
    expect(existsSync(h.path("sysroot/var/lib/ovn/ovnnb_db.db"))).toBe(false);
    expect(existsSync(h.path("dest/data/ovs/conf.db"))).toBe(false);
    expect(existsSync(h.path("dest/data/ovs/keep.txt"))).toBe(true);
  });

  test("start_ovn starts the enabled OVN services and opens the databases", () => {
    const out = h.ok(`${fakeProcess}enable_service ovn-northd ovn-controller q-ovn-metadata-agent
OVN_META_CONF=$HOME/meta.ini NEUTRON_BIN_DIR=/b start_ovn`);
    expect(out).toContain(`run q-ovn-metadata-agent|/b/neutron-ovn-metadata-agent --config-file ${h.path("home/meta.ini")}`);
    expect(h.lines("systemctl")).toEqual([
      "systemctl daemon-reload",
      "systemctl enable ovn-central",
      "systemctl restart ovn-central",
      "systemctl daemon-reload",
      "systemctl enable ovn-host",
      "systemctl restart ovn-host",
    ]);
    expect(h.lines("ovn-nbctl")).toEqual([
      "ovn-nbctl --db=unix:/var/run/ovn/ovnnb_db.sock set-connection ptcp:6641:0.0.0.0 -- set connection . inactivity_probe=60000",
    ]);
    expect(h.lines("ovn-sbctl")[0]).toContain("ptcp:6642:0.0.0.0");
  });

  test("stop_new_ovs runs ovs-ctl stop only when OVS was built from source", () => {
    h.ok(`stop_new_ovs`);
    h.ok(`printf '#!/bin/sh\\necho "ovs-ctl $*"\\n' >$HOME/ovs-ctl; chmod +x $HOME/ovs-ctl; OVS_SOURCE_CTL=$HOME/ovs-ctl stop_new_ovs >$HOME/out`);
    expect(h.read("home/out")).toBe("ovs-ctl stop\n");
  });
});

describe("lvm and disks", () => {
  test("init_lvm_volume_group makes a backing file, loop device and group", () => {
    h.ok(`init_lvm_volume_group stack-volumes-lvmdriver-1 10M`);
    expect(existsSync(h.path("dest/data/stack-volumes-lvmdriver-1-backing-file"))).toBe(true);
    expect(h.lines("losetup")[0]).toBe(`losetup -f --show ${h.path("dest/data/stack-volumes-lvmdriver-1-backing-file")}`);
    expect(h.lines("vgcreate")).toEqual(["vgcreate stack-volumes-lvmdriver-1 /dev/loop7"]);
    expect(h.lines("lvremove")).toEqual(["lvremove -f stack-volumes-lvmdriver-1"]);
    h.clearCalls();
    h.ok(`init_lvm_volume_group stack-volumes-lvmdriver-1 10M`);
    expect(h.calls("vgcreate")).toEqual([]);
  });

  test("create_disk formats, adds an fstab entry and mounts", () => {
    h.ok(`create_disk $DATA_DIR/swift.img $DATA_DIR/swift 20M`);
    expect(h.lines("mkfs.xfs")).toEqual([`mkfs.xfs -f -i size=1024 ${h.path("dest/data/swift.img")}`]);
    expect(h.read("sysroot/etc/fstab")).toContain(`${h.path("dest/data/swift.img")} ${h.path("dest/data/swift")} xfs loop,noatime`);
    expect(h.lines("mount")).toEqual([`mount -v ${h.path("dest/data/swift")}`]);
    h.ok(`destroy_disk $DATA_DIR/swift.img $DATA_DIR/swift`);
    expect(h.read("sysroot/etc/fstab")).toBe("");
  });
});
