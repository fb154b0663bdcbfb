// async.sh, logging.sh, rootwrap.sh, images.sh.
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, statSync, writeFileSync } from "node:fs";
import { LibHarness } from "../compat/harness.ts";

let h: LibHarness;
beforeEach(async () => {
  h = await LibHarness.create({ env: { STACK_USER: "stack" } });
});
afterEach(() => h.dispose());

describe("async", () => {
  test("jobs run in the background; async_wait prints their output and status", () => {
    const out = h.ok(`async_init
slow() { sleep 0.2; echo "slow says $1"; }
async_runfunc slow hi
async_run quick echo fast
async_wait slow quick`);
    expect(out).toContain("slow says hi");
    expect(out).toContain("fast");
    expect(out).toMatch(/finished slow hi with result 0/);
    expect(existsSync(h.path("dest/async/slow.ini"))).toBe(false);
  });

  test("a failing job makes async_wait fail and stop", () => {
    const r = h.run(`async_init; async_run bad false; async_run good true; async_wait bad good`);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("Stopping async wait due to error: bad good");
  });

  test("DEVSTACK_PARALLEL=False runs in the foreground", () => {
    const out = h.ok(`DEVSTACK_PARALLEL=False; async_init; v=0; setv() { v=1; }; async_runfunc setv; async_wait setv; echo "v=$v"`);
    expect(out).toContain("Running synchronously: setv");
    expect(out).toContain("v=1");
  });

  test("async_cleanup collects forgotten jobs; unknown names are reported", () => {
    const out = h.ok(`async_init; async_run left echo leftover; async_cleanup; async_wait nope`);
    expect(out).toContain("WARNING: uncollected async future left");
    expect(out).toContain("leftover");
    expect(out).toContain("Not waiting for async task nope");
  });
});

describe("logging", () => {
  test("setup_logging: colored formats by default", () => {
    const conf = h.path("home/a.conf");
    h.ok(`LOG_COLOR=True SYSLOG=False setup_logging ${conf}`);
    const text = h.read("home/a.conf");
    for (const key of [
      "logging_context_format_string",
      "logging_default_format_string",
      "logging_debug_format_suffix",
      "logging_exception_prefix",
      "log_color",
    ]) {
      expect(text).toContain(`${key} = `);
    }
    expect(text).toContain("\x1b[01;36m%(request_id)s");
  });

  test("setup_logging: identity format only without colors or with OTHER_COND", () => {
    h.ok(`LOG_COLOR=False setup_logging ${h.path("home/b.conf")}; setup_logging ${h.path("home/c.conf")} True`);
    for (const f of ["b.conf", "c.conf"]) {
      expect(h.read(`home/${f}`).trim()).toBe("[DEFAULT]\nlogging_user_identity_format = %(project_name)s %(user_name)s");
    }
  });

  test("setup_systemd_logging: journald formats; use_journal with USE_JOURNAL=True", () => {
    h.ok(`setup_systemd_logging ${h.path("home/d.conf")}; USE_JOURNAL=True setup_systemd_logging ${h.path("home/e.conf")}`);
    expect(h.read("home/d.conf")).toContain("(pid=%(process)d)");
    expect(h.read("home/d.conf")).not.toContain("use_journal");
    expect(h.read("home/e.conf")).toContain("use_journal = True");
    expect(h.read("home/e.conf")).toContain("%(global_request_id)s");
  });

  test("setup_colorized_logging honours a section argument", () => {
    h.ok(`setup_colorized_logging ${h.path("home/f.conf")} logging project_name user_name`);
    expect(h.read("home/f.conf")).toStartWith("\n[logging]\n");
  });
});

describe("rootwrap", () => {
  test("configure_rootwrap installs filters, config and the sudoers rule", () => {
    const src = h.path("src-fxsvc");
    mkdirSync(`${src}/etc/fxsvc/rootwrap.d`, { recursive: true });
    writeFileSync(`${src}/etc/fxsvc/rootwrap.d/fxsvc.filters`, "[Filters]\nip: IpFilter, ip, root\n");
    writeFileSync(`${src}/etc/fxsvc/rootwrap.conf`, "[DEFAULT]\nfilters_path=/usr/share/fxsvc\nexec_dirs=/sbin,/bin\n");
    h.ok(`FXSVC_DIR=${src} FXSVC_BIN_DIR=/venv/bin configure_rootwrap fxsvc`);
    expect(h.read("sysroot/etc/fxsvc/rootwrap.d/fxsvc.filters")).toContain("IpFilter");
    expect(h.read("sysroot/etc/fxsvc/rootwrap.conf")).toBe("[DEFAULT]\nfilters_path=/etc/fxsvc/rootwrap.d\n#exec_dirs=/sbin,/bin\n");
    expect(h.read("sysroot/etc/sudoers.d/fxsvc-rootwrap")).toBe("stack ALL=(root) NOPASSWD: /venv/bin/fxsvc-rootwrap /etc/fxsvc/rootwrap.conf *\n");
    expect((statSync(h.path("sysroot/etc/sudoers.d/fxsvc-rootwrap")).mode & 0o777).toString(8)).toBe("440");
    expect(h.read("sysroot/etc/sudoers.d/zz-secure-path")).toMatch(/secure_path=.*:\/venv\/bin\n$/);
  });

  test("configure_rootwrap without PROJECT_DIR dies naming it", () => {
    const r = h.run(`configure_rootwrap nothing`);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("set NOTHING_DIR");
  });

  test("get_rootwrap_location", () => {
    expect(h.ok(`get_rootwrap_location neutron`).trim()).toBe(`${h.ok("get_python_exec_prefix").trim()}/neutron-rootwrap`);
  });
});

describe("images", () => {
  test("get_extra_file: file:// in place, others downloaded once into FILES", () => {
    const out = h.ok(`get_extra_file file:///srv/x.img; get_extra_file https://example.org/a/b.qcow2; get_extra_file https://example.org/a/b.qcow2`);
    expect(out.trim().split("\n")).toEqual(["/srv/x.img", h.path("files/b.qcow2"), h.path("files/b.qcow2")]);
    expect(h.lines("wget")).toHaveLength(1);
  });

  const formats: [string, string][] = [
    ["cirros.qcow2", "--container-format bare --disk-format qcow2"],
    ["disk.raw", "--container-format bare --disk-format raw"],
    ["boot.iso", "--container-format bare --disk-format iso"],
    ["vm.vmdk", "--container-format bare --disk-format vmdk"],
    ["guest.img", "--container-format bare --disk-format qcow2"],
  ];
  for (const [file, want] of formats) {
    test(`upload_image ${file}`, () => {
      h.ok(`printf 'x' >$HOME/${file}; upload_image file://$HOME/${file} token`);
      const line = h.lines("openstack")[0] ?? "";
      expect(line).toStartWith(`openstack image create ${file.replace(/\.[a-z0-9]+$/, "")} --public ${want}`);
      expect(line).toContain(`--file ${h.path("home", file)}`);
    });
  }

  test("upload_image unpacks compressed images", () => {
    h.ok(`printf 'disk' >$HOME/c.img; gzip $HOME/c.img; upload_image file://$HOME/c.img.gz`);
    expect(h.lines("openstack")[0]).toContain("image create c --public --container-format bare --disk-format raw");
    expect(h.read("home/c.img")).toBe("disk");
  });

  test("upload_image of a kernel/ramdisk bundle links the machine image to them", () => {
    h.ok(`d=$HOME/b; mkdir -p $d; printf k >$d/x-vmlinuz; printf r >$d/x-initrd; printf m >$d/x.img
tar -C $d -czf $HOME/bundle.tar.gz .; upload_image file://$HOME/bundle.tar.gz`);
    const lines = h.lines("openstack");
    expect(lines.map((l) => l.split(" ").slice(3, 4)[0])).toEqual(["bundle-kernel", "bundle-ramdisk", "bundle"]);
    expect(lines[2]).toMatch(/--container-format ami --disk-format ami --property kernel_id=[0-9a-f]{32} --property ramdisk_id=[0-9a-f]{32}/);
  });

  test("an unknown format dies", () => {
    expect(h.run(`touch $HOME/x.zip; upload_image file://$HOME/x.zip`).stderr).toContain("do not know the format of x.zip");
  });
});
