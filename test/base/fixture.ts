// DevStack's own repository as a test fixture: the git bundle beside the
// repository (../shared/fixtures/devstack.bundle, or $PLUGSTACK_DEVSTACK_BUNDLE),
// cloned bare where a test's git daemon serves it. Nothing of it is copied
// into the project.
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { git } from "../helpers/git.ts";

export const DEVSTACK_BUNDLE = process.env.PLUGSTACK_DEVSTACK_BUNDLE || resolve(import.meta.dir, "../../../shared/fixtures/devstack.bundle");
/** the fixture's branches (see its README) */
export const DEVSTACK_MASTER = "493835a61a996731a7031861f80c7629acd5d6f2";
export const DEVSTACK_STABLE = "da2f4d73f5ad74fc8ecfbe15bd7e20f6b0982dbb";

/** Why DevStack fixture tests cannot run here, or "". */
export function devstackSkipReason(): string {
  return existsSync(DEVSTACK_BUNDLE) ? "" : `the DevStack fixture bundle is not at ${DEVSTACK_BUNDLE} (set PLUGSTACK_DEVSTACK_BUNDLE)`;
}

/** A bare clone of DevStack (master and stable/2026.1) at `<srv>/<name>`. */
export function serveDevstack(srv: string, name = "devstack"): string {
  const dir = join(srv, name);
  git(srv, "clone", "--quiet", "--bare", DEVSTACK_BUNDLE, dir);
  git(dir, "fetch", "--quiet", DEVSTACK_BUNDLE, "refs/heads/*:refs/heads/*");
  return dir;
}
