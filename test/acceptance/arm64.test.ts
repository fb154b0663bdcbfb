// The arm64 release build really runs: inside an arm64 Debian root
// (debootstrap --foreign, second stage under qemu-user-static through
// binfmt_misc), installed with the README's Install lines, it runs --version,
// plan --offline, bindep and lib export; and for the same input the x64 build
// (in the x64 bare root) prints byte-identical plan --json and bindep output.
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BIN, ROOT } from "../e2e/harness.ts";
import { tempDir } from "../helpers/git.ts";
import type { ProcessResult } from "../helpers/process.ts";
import { bareDebianRoot, cachedRoot, cloneRoot, hostAptSource, type IsolatedRoot, mustRun, openIsolated, rootsUnavailable } from "./roots.ts";

setDefaultTimeout(900_000); // debootstrap's second stage under qemu on a cold, busy machine

const BINFMT = "/proc/sys/fs/binfmt_misc/qemu-aarch64";

function arm64Unavailable(): string | null {
  const roots = rootsUnavailable();
  if (roots) return roots;
  if (process.arch !== "x64") return `runs on x64 hosts (this is ${process.arch})`;
  if (!Bun.which("qemu-aarch64-static")) return "qemu-aarch64-static is not installed (.ci/run installs qemu-user-static)";
  if (!existsSync(BINFMT) || !readFileSync(BINFMT, "utf8").startsWith("enabled")) return `no aarch64 binfmt_misc handler at ${BINFMT} (.ci/run registers it)`;
  if (!/^flags: .*F/m.test(readFileSync(BINFMT, "utf8"))) return "the aarch64 binfmt_misc handler lacks the F flag, so it cannot run inside a chroot";
  return null;
}

const skip = arm64Unavailable();
if (skip) console.log(`[skip] arm64 build under qemu: ${skip}`);

/** The README's Install block, with `target=` set to `target`. */
function installLines(target: string): string {
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  const at = readme.indexOf("<!-- install: test/acceptance/arm64.test.ts runs these lines with target=linux-arm64 -->");
  const block = /```sh\n([\s\S]*?)```/.exec(readme.slice(at))?.[1];
  if (at < 0 || !block) throw new Error("README.md has no Install block");
  return block.replace(/^target=\S+/m, `target=${target}`);
}

async function arm64Root(): Promise<string> {
  const source = hostAptSource();
  return cachedRoot(`debian-${source.suite}-arm64-minbase-git`, async (dir) => {
    console.error(
      `building an arm64 root: debootstrap --foreign --arch=arm64 --variant=minbase --include=git ${source.suite} from ${source.uri}, second stage under qemu`,
    );
    await mustRun(["debootstrap", "--foreign", "--arch=arm64", "--variant=minbase", "--include=git", source.suite, dir, source.uri]);
    await mustRun(["chroot", dir, "/debootstrap/debootstrap", "--second-stage"]);
    for (const d of ["var/cache/apt/archives", "var/lib/apt/lists"]) {
      rmSync(join(dir, d), { recursive: true, force: true });
      mkdirSync(join(dir, d, "partial"), { recursive: true });
    }
  });
}

const BINDEP = `# one rule of each kind
bash
python3
coreutils <1
bash >=5.0
libc6 [platform:dpkg]
gawk [platform:rpm]
mawk [platform:debian !platform:ubuntu]
git [test]
sed [default (platform:dpkg platform:debian)]
`;

const tmp = tempDir("plugstack-arm64-");
const version = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).version as string;
const boxes: Record<"x64" | "arm64", IsolatedRoot | undefined> = { x64: undefined, arm64: undefined };

/** The same input in both roots: the example's config and plugins, a bindep file. */
function placeInput(root: string): void {
  cpSync(join(ROOT, "examples"), join(root, "root/in"), { recursive: true });
  writeFileSync(join(root, "root/in/bindep.txt"), BINDEP);
}

const run = (arch: "x64" | "arm64", script: string) => boxes[arch]!.run(`cd /root/in && ${script}`);
const both = async (script: string): Promise<[ProcessResult, ProcessResult]> => [await run("x64", script), await run("arm64", script)];

describe.skipIf(!!skip)("the arm64 build under qemu", () => {
  beforeAll(async () => {
    const arm = await cloneRoot(await arm64Root(), join(tmp.path, "arm64"));
    const x64 = await cloneRoot(await bareDebianRoot(), join(tmp.path, "x64"));
    // the arm64 release file and SHA256SUMS, as a user downloads them
    await mustRun([process.execPath, join(ROOT, "scripts/release.ts"), "--out", join(tmp.path, "release"), "linux-arm64"], {
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: process.env.HOME ?? "/root" },
      cwd: ROOT,
    });
    cpSync(join(tmp.path, "release"), join(arm, "root"), { recursive: true });
    cpSync(BIN, join(x64, "usr/local/bin/plugstack"));
    placeInput(arm);
    placeInput(x64);
    boxes.arm64 = await openIsolated(arm);
    boxes.x64 = await openIsolated(x64);
  });
  afterAll(async () => {
    await boxes.arm64?.close();
    await boxes.x64?.close();
    tmp.cleanup();
  });

  test("the README's Install lines check, unpack and run the arm64 release file", async () => {
    const r = await boxes.arm64!.run(`cd /root && set -e\n${installLines("linux-arm64")}`);
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.stdout).toContain(`plugstack-${version}-linux-arm64.gz: OK`);
    expect(r.stdout).toMatch(new RegExp(`^plugstack ${version.replaceAll(".", "\\.")} \\(commit [0-9a-f]{40}(\\+dirty)?, linux-arm64\\)$`, "m"));
    const arch = await boxes.arm64!.run("dpkg --print-architecture; od -An -tx1 -j18 -N2 /usr/local/bin/plugstack");
    expect(arch.stdout.trim().split(/\s+/)).toEqual(["arm64", "b7", "00"]); // ELF e_machine 183: AArch64
  });

  test("plan --offline --json: byte-identical on x64 and arm64", async () => {
    const [x, a] = await both("plugstack plan --offline --json --dest /root/dest");
    expect(x.code, x.stderr).toBe(0);
    expect(a.code, a.stderr).toBe(0);
    expect(JSON.parse(a.stdout).result.plugins.map((p: { name: string }) => p.name)).toEqual(["hello-service", "hello-config"]);
    expect(a.stdout).toBe(x.stdout);
  });

  const FORMS = ["", "-b", "-l newline", "-l csv", "--profiles", "test"];
  test(`bindep (${FORMS.map((f) => f || "no options").join(", ")}): byte-identical on x64 and arm64, same exit statuses`, async () => {
    // one run per root (each start under qemu takes seconds): every form's output, stderr and status
    const script = FORMS.map((f) => `echo "== bindep ${f}"; plugstack bindep ${f} 2>&1; echo "== exit $?"`).join("\n");
    const [x, a] = await both(script);
    expect(a.stdout).toBe(x.stdout);
    expect(a.stdout).not.toContain("rror");
    const brief = /== bindep -b\n([\s\S]*?)== exit (\d+)/.exec(a.stdout);
    expect(brief?.[1]?.split("\n")).toContain("python3");
    expect(brief?.[2]).toBe("1");
  });

  test("lib export writes the same library files on x64 and arm64", async () => {
    const script = "plugstack lib export /root/lib && cd /root/lib && find . -type f | LC_ALL=C sort | xargs sha256sum";
    const [x, a] = await both(script);
    expect(a.code, a.stderr).toBe(0);
    expect(a.stdout).toContain("./functions-common");
    expect(a.stdout).toBe(x.stdout);
  });
});
