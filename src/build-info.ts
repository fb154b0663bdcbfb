// What this binary is: version, the git commit it was built from and the
// target it was built for. scripts/build.ts fills these in with `define`;
// run from the sources, they say so.
declare const PLUGSTACK_VERSION: string | undefined;
declare const PLUGSTACK_COMMIT: string | undefined;
declare const PLUGSTACK_TARGET: string | undefined;

export const version = typeof PLUGSTACK_VERSION === "string" ? PLUGSTACK_VERSION : "0.0.0-dev";
/** full commit id, with "+dirty" when the tree had uncommitted changes; "unknown" outside a git checkout */
export const commit = typeof PLUGSTACK_COMMIT === "string" ? PLUGSTACK_COMMIT : "unknown";
/** e.g. linux-x64, linux-x64-baseline, linux-arm64-musl; "source" when run by bun from src/ */
export const target = typeof PLUGSTACK_TARGET === "string" ? PLUGSTACK_TARGET : "source";

/** The `--version` line: `plugstack 0.1.0 (commit 0123abcd..., linux-x64)`. */
export function renderVersion(): string {
  return `plugstack ${version} (commit ${commit}, ${target})`;
}
