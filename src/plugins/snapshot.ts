// A plugin's devstack/ directory (or DevStack's own tree) at a commit, read from its bare mirror
// without a checkout (plan, fetch --packages).
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { Ctx } from "../context.ts";
import { FetchError } from "../errors.ts";
import { loadExeca } from "../util/execa-lazy.ts";
import type { Mirror } from "./cache.ts";
import { runGit } from "./git.ts";

/** Writes the devstack/ directory of `commit` from a bare mirror into `into`/devstack (nothing when the commit has none). */
export async function extractDevstackDir(ctx: Pick<Ctx, "env" | "offline">, mirror: Mirror, commit: string, into: string): Promise<void> {
  await extractPaths(ctx, mirror, commit, into, ["devstack"]);
}

/** Writes `paths` of `commit` (the whole tree when none) from a bare mirror into `into`; missing paths are skipped. */
export async function extractPaths(ctx: Pick<Ctx, "env" | "offline">, mirror: Mirror, commit: string, into: string, paths: string[] = []): Promise<void> {
  const execa = await loadExeca();
  mkdirSync(into, { recursive: true });
  const listed = await runGit(ctx, ["ls-tree", "--name-only", commit, "--", ...paths], { cwd: mirror.path, repo: mirror.url, ref: commit });
  if (listed.trim() === "") return;
  const tar = join(into, ".snapshot.tar");
  await runGit(ctx, ["archive", "--format=tar", "-o", tar, commit, "--", ...listed.split("\n").filter(Boolean)], {
    cwd: mirror.path,
    remote: mirror.path,
    repo: mirror.url,
    ref: commit,
  });
  const r = await execa("tar", ["-x", "-f", tar, "-C", into], { reject: false, stdin: "ignore" });
  rmSync(tar, { force: true });
  if (r.exitCode !== 0)
    throw new FetchError(`cannot unpack ${paths.join(", ") || "the tree"} of ${commit} from ${mirror.path}: ${String(r.stderr).trim()}`, mirror.url, commit);
}
