// Replace a file's content atomically: write a temp file beside it, then
// rename over it. A symlink is followed (its target is replaced, the link
// stays) and the file keeps its permission bits. The one way plugstack
// writes a file that must be whole or absent (the lock, local.conf, the
// package cache's indexes, state.json). A killed write's temp file is
// removed by the next write of the same file. Leaf helper.
import { realpathSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { sweepTempSiblings, tempSibling } from "./temp.ts";

export function writeFileAtomic(path: string, text: string | Uint8Array): void {
  let target = path;
  let mode: number | undefined;
  try {
    target = realpathSync(path);
    mode = statSync(target).mode & 0o7777;
  } catch {
    // a new file
  }
  sweepTempSiblings(target);
  const tmp = tempSibling(target);
  try {
    writeFileSync(tmp, text, mode === undefined ? {} : { mode });
    renameSync(tmp, target);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}
