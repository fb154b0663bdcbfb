// Who runs DevStack. DevStack refuses root: as root, plugstack makes the
// stack user the way DevStack's tools/create-stack-user.sh does (group and
// user STACK_USER, home DEST, passwordless sudo) and runs DevStack's scripts
// as that user; as another user, that user must have passwordless sudo.
import { appendFileSync, chmodSync, chownSync, existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import type { Ctx } from "../context.ts";
import { PlugstackError } from "../errors.ts";
import { loadExeca } from "../util/execa-lazy.ts";

export interface RunAs {
  user: string;
  uid: number;
  gid: number;
  home: string;
  /** plugstack runs as root and switches to `user` for DevStack's scripts */
  switchUser: boolean;
}

async function ok(cmd: string, args: string[], env: Ctx["env"]): Promise<boolean> {
  const execa = await loadExeca();
  const r = await execa(cmd, args, { reject: false, env: env as Record<string, string>, extendEnv: false, stdin: "ignore" });
  return r.exitCode === 0;
}

async function idOf(user: string, env: Ctx["env"]): Promise<{ uid: number; gid: number; home: string } | null> {
  const execa = await loadExeca();
  const r = await execa("getent", ["passwd", "--", user], { reject: false, env: env as Record<string, string>, extendEnv: false });
  if (r.exitCode !== 0) return null;
  const f = r.stdout.trim().split(":");
  return { uid: Number(f[2]), gid: Number(f[3]), home: f[5] ?? "" };
}

const SUDOERS = "/etc/sudoers.d/50_stack_sh";

/** As root: create STACK_USER like tools/create-stack-user.sh; as anyone else: check passwordless sudo. */
export async function ensureStackUser(ctx: Pick<Ctx, "env" | "log">, opts: { stackUser: string; dest: string }): Promise<RunAs> {
  const execa = await loadExeca();
  const env = ctx.env;
  const uid = process.getuid?.() ?? -1;
  if (uid !== 0) {
    if (!(await ok("sudo", ["-n", "true"], env))) {
      throw new PlugstackError(
        "DevStack's stack.sh needs root or passwordless sudo, and this user has neither (sudo -n true failed)",
        "run plugstack as root (it then creates the stack user as DevStack's tools/create-stack-user.sh does and runs DevStack as that user), or give this user passwordless sudo",
      );
    }
    const me = (await execa("id", ["-un"], { env: env as Record<string, string>, extendEnv: false })).stdout.trim();
    return { user: me, uid, gid: process.getgid?.() ?? uid, home: env.HOME ?? "", switchUser: false };
  }
  // DevStack's stackrc: as root, STACK_USER is stack (localrc may name another)
  const user = opts.stackUser && opts.stackUser !== "root" ? opts.stackUser : "stack";
  if (!/^[a-z_][a-z0-9_-]*$/.test(user)) {
    throw new PlugstackError(
      `STACK_USER "${user}" cannot run DevStack`,
      "set STACK_USER in localrc to a plain user name other than root (DevStack's default is stack)",
    );
  }
  if (!existsSync("/usr/bin/sudo") && !existsSync("/bin/sudo")) {
    throw new PlugstackError(
      "sudo is not installed, and DevStack's scripts call it",
      "install it (apt-get install sudo / dnf install sudo), then run plugstack again",
    );
  }
  if (!(await ok("getent", ["group", user], env))) {
    ctx.log.info(`creating group ${user}`);
    await execa("groupadd", ["--", user], { env: env as Record<string, string>, extendEnv: false });
  }
  let id = await idOf(user, env);
  if (!id) {
    ctx.log.info(`creating user ${user} (home ${opts.dest}), as DevStack's tools/create-stack-user.sh does`);
    await execa("useradd", ["-g", user, "-s", "/bin/bash", "-d", opts.dest, "-m", "--", user], { env: env as Record<string, string>, extendEnv: false });
    id = await idOf(user, env);
    if (!id) throw new PlugstackError(`useradd did not create user ${user}`);
  }
  // DEST is the stack user's home, as useradd -m makes it; plugstack may have
  // made it first (as root). DevStack needs it traversable by everyone
  // (Apache, the services' users).
  if (existsSync(opts.dest)) {
    const st = statSync(opts.dest);
    if (st.uid === 0) chownSync(opts.dest, id.uid, id.gid);
    if ((st.mode & 0o111) !== 0o111) chmodSync(opts.dest, st.mode | 0o111);
  }
  // DevStack's stack.sh rewrites this file with its own rule; plugstack only makes the first one
  if (!existsSync(SUDOERS)) {
    ctx.log.info(`giving ${user} passwordless sudo (${SUDOERS})`);
    writeFileSync(SUDOERS, `${user} ALL=(ALL) NOPASSWD:ALL\n`, { mode: 0o440 });
    chmodSync(SUDOERS, 0o440);
  }
  const sudoers = existsSync("/etc/sudoers") ? readFileSync("/etc/sudoers", "utf8") : "";
  if (!/^[#@]includedir\s+\/etc\/sudoers\.d/m.test(sudoers)) appendFileSync("/etc/sudoers", "#includedir /etc/sudoers.d\n");
  return { user, uid: id.uid, gid: id.gid, home: id.home, switchUser: true };
}

/** The command that runs `argv` as `as` (setpriv keeps plugstack's event descriptor open; sudo would close it). */
export function commandAs(as: RunAs, argv: string[]): string[] {
  if (!as.switchUser) return argv;
  return ["setpriv", `--reuid=${as.uid}`, `--regid=${as.gid}`, "--init-groups", "--", ...argv];
}

/** The environment DevStack's scripts get: the invocation's, with the stack user's identity. */
export function envAs(as: RunAs, env: Ctx["env"]): Record<string, string | undefined> {
  if (!as.switchUser) return env;
  return { ...env, HOME: as.home, USER: as.user, LOGNAME: as.user, SUDO_USER: undefined, SUDO_UID: undefined, SUDO_GID: undefined };
}
