// The local.conf plugstack writes into the base checkout for DevStack's own
// scripts: the user's blocks as written, and one [[local|localrc]] block with
// the user's localrc (local.conf block, plain localrc or DEVSTACK_LOCAL_CONFIG,
// as plugstack read it) followed by plugstack's lines, which load the hooks
// that report to plugstack. Pure.
import type { LoadedConfig } from "../config/load.ts";
import { shellQuote } from "../util/quote.ts";

/** First line of every local.conf plugstack writes: how a later run knows it may replace the file. */
export const WRITTEN_MARK = "# Written by plugstack";

export interface BaseLocalConfInput {
  config: Pick<LoadedConfig, "path" | "blocks" | "localrc">;
  /** bash files sourced (in order) at the end of localrc: the driver's event helpers, then the base hooks */
  hookFiles: string[];
  /** assignments and lines plugstack adds after the hooks (ERROR_ON_CLONE=True, ...) */
  extra: string[];
}

export function renderBaseLocalConf(input: BaseLocalConfInput): string {
  const out = [`${WRITTEN_MARK} from ${input.config.path} for each run; edit that file, not this one.`, ""];
  for (const b of input.config.blocks) {
    if (b.group === "local" && b.file === "localrc") continue;
    out.push(b.header, ...b.body.map((l) => l.text), "");
  }
  out.push("[[local|localrc]]");
  const text = input.config.localrc.text.replace(/\n$/, "");
  if (text) out.push(text);
  out.push("# --- plugstack: report phases and hooks to plugstack, pin what DevStack clones ---");
  for (const f of input.hookFiles) out.push(`if [[ -r ${shellQuote(f)} ]]; then source ${shellQuote(f)}; fi`);
  out.push(...input.extra, "");
  return out.join("\n");
}
