// A plugin's devstack/ directory at a commit, read from its bare mirror
// without a checkout (plan, fetch --packages).
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import type { Ctx } from "../context.ts";
import { FetchError } from "../errors.ts";
import type { Mirror } from "./cache.ts";
import { runGit } from "./git.ts";

/** Writes the devstack/ directory of `commit` from a bare mirror into `into`/devstack (nothing when the commit has none). */
export async function extractDevstackDir(ctx: Pick<Ctx, "env" | "offline">, mirror: Mirror, commit: string, into: string): Promise<void> {
  mkdirSync(into, { recursive: true });
  const listed = await runGit(ctx, ["ls-tree", "--name-only", commit, "--", "devstack"], { cwd: mirror.path, repo: mirror.url, ref: commit });
  if (listed.trim() === "") return;
  const tar = join(into, ".devstack.tar");
  await runGit(ctx, ["archive", "--format=tar", "-o", tar, commit, "--", "devstack"], { cwd: mirror.path, remote: mirror.path, repo: mirror.url, ref: commit });
  const r = await execa("tar", ["-x", "-f", tar, "-C", into], { reject: false, stdin: "ignore" });
  rmSync(tar, { force: true });
  if (r.exitCode !== 0) throw new FetchError(`cannot unpack devstack/ of ${commit} from ${mirror.path}: ${String(r.stderr).trim()}`, mirror.url, commit);
}

