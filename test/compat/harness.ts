// A harness that runs real bash with plugstack's embedded library and a PATH
// of shims (test/compat/shims/shim.sh linked as sudo, apt-get, systemctl,
// openstack, mysql, ...). The shims record every call, so service helpers are
// tested without any service, and print what callers parse (ids, versions).
//
//   const h = await LibHarness.create();
//   const r = h.run('get_or_create_service nova compute "Nova"');
//   h.calls("openstack")   // [{ tool, args }]
//   h.dispose();
//
// Every harness lives in its own temp dir: DEST, DATA_DIR, TOP_DIR, HOME and
// a system root (PLUGSTACK_SYSROOT, where helpers write /etc files) are
// inside it, so nothing touches the host.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const SHIM = join(import.meta.dir, "shims/shim.sh");
export const FIXTURES = join(import.meta.dir, "fixtures");

/**
 * The host's versioned interpreter (e.g. python3.11): the library runs
 * python$PYTHON3_VERSION, so it is shimmed as well as python3.
 */
function hostPythonName(): string[] {
  const r = Bun.spawnSync(["python3", "-c", "import sys; print('python%d.%d' % sys.version_info[:2])"], { stdout: "pipe", stderr: "ignore" });
  const name = r.exitCode === 0 ? r.stdout.toString().trim() : "";
  return /^python3\.\d+$/.test(name) ? [name] : [];
}

/** Tools the harness replaces with the recording shim. */
export const SHIMMED_TOOLS = [
  "sudo",
  "apt-get",
  "dnf",
  "yum",
  "zypper",
  "systemctl",
  "service",
  "openstack",
  "mysql",
  "psql",
  "createdb",
  "pip",
  "pip3",
  "python3",
  "python",
  "a2ensite",
  "a2dissite",
  "a2enmod",
  "a2query",
  "apache2ctl",
  "uwsgi",
  "systemd-tmpfiles",
  "usermod",
  "rabbitmqctl",
  "curl",
  "wget",
  "qemu-img",
  "systemd-detect-virt",
  "update-ca-certificates",
  "update-ca-trust",
  "mkfs.xfs",
  "mount",
  "umount",
  "losetup",
  "vgs",
  "vgcreate",
  "lvremove",
  "lvs",
  "tgtadm",
  "tgt-admin",
  "cinder-rtstool",
  "ovs-vsctl",
  "ovs-appctl",
  "ovn-nbctl",
  "ovn-sbctl",
  "bindep",
  ...hostPythonName(),
];

/** Host tools linked into an isolated PATH (HarnessOptions.isolatePath). */
const HOST_TOOLS = [
  "bash",
  "sh",
  "env",
  "id",
  "cat",
  "mkdir",
  "rm",
  "rmdir",
  "mv",
  "cp",
  "ln",
  "chmod",
  "chown",
  "touch",
  "date",
  "sed",
  "awk",
  "grep",
  "tr",
  "cut",
  "head",
  "tail",
  "sort",
  "uniq",
  "wc",
  "basename",
  "dirname",
  "readlink",
  "realpath",
  "mktemp",
  "tee",
  "stat",
  "od",
  "md5sum",
  "sleep",
  "timeout",
  "true",
  "false",
  "test",
  "xargs",
  "find",
  "tar",
  "gzip",
  "truncate",
  "install",
  "hostname",
  "openssl",
  "git",
  "mountpoint",
  "seq",
  "uname",
  "dpkg",
  "python3",
  "ls",
  "mkfifo",
  "nproc",
];

/**
 * compat/functions.md and variables.md, vendored from the shared specs
 * (test/compat/data; test/compat/data.test.ts checks they still match).
 */
export const COMPAT_DATA = join(import.meta.dir, "data");
export const FUNCTIONS_MD = join(COMPAT_DATA, "functions.md");
export const VARIABLES_MD = join(COMPAT_DATA, "variables.md");

/** Function names of compat/functions.md's table, plus is_suse (required too). */
export function loadCompatFunctions(path = FUNCTIONS_MD): string[] {
  const names = [...readFileSync(path, "utf8").matchAll(/^\|\s*\d+\s*\|\s*`([^`]+)`/gm)].map((m) => m[1] ?? "");
  return [...names, "is_suse"];
}

/**
 * Globals of compat/variables.md that DevStack itself sets outside its
 * service libraries (stackrc, stack.sh, functions*, inc/*, openrc): the stack
 * shell defines them before plugins are sourced. Rows set by lib/* are
 * conventions between plugins, and rows with no DevStack file are bash's or
 * the plugins' own.
 */
export function loadCompatVariables(path = VARIABLES_MD): string[] {
  return [...readFileSync(path, "utf8").matchAll(/^\|\s*\d+\s*\|\s*`([^`]+)`\s*\|[^|]*\|[^|]*\|([^|]*)\|/gm)]
    .filter((m) => {
      const where = (m[2] ?? "").trim();
      return where !== "" && !where.startsWith("lib/");
    })
    .map((m) => m[1] ?? "");
}

export interface Call {
  tool: string;
  args: string[];
}

export interface LibRun {
  code: number;
  stdout: string;
  stderr: string;
}

export interface HarnessOptions {
  /** tools to leave out of the shim PATH (to test missing-tool errors) */
  without?: string[];
  /** extra environment for every run */
  env?: Record<string, string>;
  /** PATH has only the shims and a fixed set of host tools (not the host's PATH) */
  isolatePath?: boolean;
  /**
   * What each run sources first: "stackrc" (default: library and DevStack's
   * defaults, as the stack shell has them) or "functions" (the library only).
   */
  entry?: "stackrc" | "functions";
}

/** Write the library as `plugstack lib export` does: DevStack-layout entry files under DIR. */
async function writeLibrary(dir: string): Promise<void> {
  const { writeLibraryTree } = await import("../../src/shell/export.ts");
  writeLibraryTree(dir);
}

/** Split the shim log into calls. */
export function parseCalls(log: string): Call[] {
  return log
    .split("\x1e")
    .filter((rec) => rec.length > 0)
    .map((rec) => {
      const [tool = "", ...args] = rec.split("\x1f");
      return { tool, args };
    });
}

export class LibHarness {
  private constructor(
    readonly root: string,
    readonly env: Record<string, string>,
    private readonly prelude: string,
  ) {}

  static async create(opts: HarnessOptions = {}): Promise<LibHarness> {
    const root = mkdtempSync(join(tmpdir(), "plugstack-compat-"));
    const bin = join(root, "bin");
    const dirs = ["bin", "state", "dest", "dest/data", "dest/logs", "top", "home", "sysroot/etc", "files"];
    for (const d of dirs) mkdirSync(join(root, d), { recursive: true });
    const without = new Set(opts.without ?? []);
    for (const tool of SHIMMED_TOOLS) {
      if (!without.has(tool)) symlinkSync(SHIM, join(bin, tool));
    }
    let hostPath = process.env.PATH ?? "/usr/bin:/bin";
    if (opts.isolatePath) {
      const host = join(root, "host-bin");
      mkdirSync(host);
      for (const tool of HOST_TOOLS) {
        const real = Bun.which(tool);
        if (real && !without.has(tool)) symlinkSync(real, join(host, tool));
      }
      hostPath = host;
    }
    writeFileSync(join(root, "calls.log"), "");
    await writeLibrary(join(root, "top"));
    const prelude = join(root, "top", opts.entry ?? "stackrc");
    const env: Record<string, string> = {
      PATH: `${bin}:${hostPath}`,
      HOME: join(root, "home"),
      LANG: "C.UTF-8",
      SHIM_LOG: join(root, "calls.log"),
      SHIM_STATE: join(root, "state"),
      DEST: join(root, "dest"),
      DATA_DIR: join(root, "dest/data"),
      LOGDIR: join(root, "dest/logs"),
      TOP_DIR: join(root, "top"),
      FILES: join(root, "files"),
      PLUGSTACK_SYSROOT: join(root, "sysroot"),
      PLUGSTACK_SYSTEMD: "True",
      PLUGSTACK_NONINTERACTIVE: "True",
      SYSTEMD_DIR: join(root, "sysroot/etc/systemd/system"),
      APACHE_RESTART_PAUSE: "0",
      SERVICE_HOST: "10.0.0.5",
      HOST_IP: "10.0.0.5",
      // known values spare each run the probes of stackrc's defaults
      HOST_IPV6: "2001:db8::5",
      PYTHON3_VERSION: "3",
      SERVICE_PASSWORD: "secretservice",
      ADMIN_PASSWORD: "secretadmin",
      DATABASE_PASSWORD: "secretdb",
      RABBIT_PASSWORD: "secretrabbit",
      ...opts.env,
    };
    return new LibHarness(root, env, prelude);
  }

  /** A path inside the harness's temp dir. */
  path(...parts: string[]): string {
    return join(this.root, ...parts);
  }

  /** Run SCRIPT in bash after sourcing the library. */
  run(script: string, env: Record<string, string> = {}): LibRun {
    const proc = Bun.spawnSync(["bash", "-c", `source "$PS_PRELUDE"\n${script}`], {
      cwd: this.root,
      env: { ...this.env, PS_PRELUDE: this.prelude, ...env },
      stdout: "pipe",
      stderr: "pipe",
    });
    return { code: proc.exitCode ?? -1, stdout: proc.stdout.toString(), stderr: proc.stderr.toString() };
  }

  /** Run SCRIPT under errexit; throw with its output unless it succeeds. Returns stdout. */
  ok(script: string, env: Record<string, string> = {}): string {
    const r = this.run(`set -o errexit\n${script}`, env);
    if (r.code !== 0) throw new Error(`script failed with status ${r.code}:\n${script}\n--- stderr\n${r.stderr}\n--- stdout\n${r.stdout}`);
    return r.stdout;
  }

  /** Calls recorded by the shims, optionally only those of one tool. */
  calls(tool?: string): Call[] {
    const all = parseCalls(readFileSync(this.env.SHIM_LOG ?? "", "utf8"));
    return tool === undefined ? all : all.filter((c) => c.tool === tool);
  }

  /** Calls of TOOL joined as command lines, for readable assertions. */
  lines(tool: string): string[] {
    return this.calls(tool).map((c) => [c.tool, ...c.args].join(" "));
  }

  clearCalls(): void {
    writeFileSync(this.env.SHIM_LOG ?? "", "");
  }

  read(...parts: string[]): string {
    return readFileSync(this.path(...parts), "utf8");
  }

  dispose(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}
