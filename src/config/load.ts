// Reads local.conf (and a plain localrc beside it) into blocks, the localrc
// text with the origin of every line, and the INI merges for the stack shell.
import { readFile, stat } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { ConfigError } from "../errors.ts";
import { type IniEntry, type MetaBlock, parseIniFragment, parseMetaConfig, splitLines, strayPreamble } from "./parse.ts";

/** Where one line of the localrc text came from. */
export interface LineOrigin {
  /** a file path, or "DEVSTACK_LOCAL_CONFIG" for lines from that variable */
  file: string;
  line: number;
}

export interface LocalrcText {
  /** bash text to source, one entry in `lines` per line */
  text: string;
  lines: LineOrigin[];
  /** where the main part came from: the [[local|localrc]] block(s), a plain localrc file, or nowhere */
  source: "local.conf" | "localrc" | "none";
}

/** Groups whose blocks are INI fragments merged into $FILE by the stack shell (CONTRACT 3). */
const MERGE_GROUPS = ["post-config", "extra", "post-extra", "test-config"] as const;
export type MergeGroup = (typeof MERGE_GROUPS)[number];

/** One [[GROUP|FILE]] merge: all blocks with the same group and file expression, in local.conf order. */
export interface ConfigMerge {
  group: MergeGroup;
  /** file expression as written, expanded by the stack shell ("$NOVA_CONF") */
  file: string;
  entries: IniEntry[];
  /** the config file holding the block (local.conf) */
  source: string;
  /** line of the (first) header */
  line: number;
  /** the (first) header as written */
  header: string;
}

export interface LoadedConfig {
  /** absolute path of local.conf */
  path: string;
  /** its directory: relative plugin paths, localrc, local.sh and extras.d are looked up here */
  dir: string;
  blocks: MetaBlock[];
  localrc: LocalrcText;
  merges: ConfigMerge[];
  /** things the user should hear about, each naming file:line where it can */
  notices: string[];
}

export interface LoadConfigOptions {
  configPath: string;
  env: Record<string, string | undefined>;
  /** base for a relative configPath */
  cwd?: string;
}

const ENV_LOCAL_CONFIG = "DEVSTACK_LOCAL_CONFIG";

async function readConfigFile(path: string): Promise<string> {
  try {
    return await readFile(path, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT")
      throw new ConfigError(
        "no local.conf here",
        path,
        undefined,
        "create it with a [[local|localrc]] block holding your enable_plugin lines, or point -c/--config at yours",
      );
    if (code === "EISDIR") throw new ConfigError("is a directory, not a local.conf file", path, undefined, "point -c/--config at the local.conf file itself");
    throw new ConfigError(`cannot read it (${code ?? String(e)})`, path, undefined, "check the file's permissions");
  }
}

async function isReadableFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

function isMergeGroup(group: string): group is MergeGroup {
  return (MERGE_GROUPS as readonly string[]).includes(group);
}

function collectMerges(blocks: MetaBlock[], path: string, notices: string[]): ConfigMerge[] {
  const byTarget = new Map<string, { first: MetaBlock; group: MergeGroup; body: MetaBlock["body"] }>();
  for (const block of blocks) {
    if (!isMergeGroup(block.group)) continue;
    const id = `${block.group}|${block.file}`;
    const known = byTarget.get(id);
    // DevStack reads every block with the same group and file as one stream
    if (known) known.body = known.body.concat(block.body);
    else byTarget.set(id, { first: block, group: block.group, body: [...block.body] });
  }
  return [...byTarget.values()].map(({ first, group, body }) => ({
    group,
    file: first.file,
    entries: parseIniFragment(body, path, notices),
    source: path,
    line: first.line,
    header: first.header,
  }));
}

/**
 * Loads local.conf. A plain `localrc` file beside it wins over the
 * [[local|localrc]] block (DevStack behaviour, with a notice), and
 * $DEVSTACK_LOCAL_CONFIG, when set, is appended to the localrc text.
 */
export async function loadConfig(opts: LoadConfigOptions): Promise<LoadedConfig> {
  const path = opts.cwd ? resolve(opts.cwd, opts.configPath) : resolve(opts.configPath);
  const dir = dirname(path);
  const text = await readConfigFile(path);
  const blocks = parseMetaConfig(text, path);
  const notices: string[] = [];

  const stray = strayPreamble(text, blocks);
  if (stray.length > 0) {
    const first = stray[0]!;
    notices.push(
      blocks.length === 0
        ? `${path}:${first.line}: local.conf has no [[GROUP|FILE]] block, so nothing in it is used; put your settings under a [[local|localrc]] line`
        : `${path}:${first.line}: ${stray.length} line(s) before the first [[GROUP|FILE]] header are ignored, as DevStack ignores them`,
    );
  }
  for (const block of blocks) {
    if (block.group === "local" && block.file !== "localrc")
      notices.push(`${path}:${block.line}: block ${block.header.trim()} is ignored: the only local block DevStack reads is [[local|localrc]]`);
    else if (block.group !== "local" && !isMergeGroup(block.group))
      notices.push(
        `${path}:${block.line}: block ${block.header.trim()} has an unknown group "${block.group}" and is ignored (known: local, ${MERGE_GROUPS.join(", ")})`,
      );
  }

  const localBlocks = blocks.filter((b) => b.group === "local" && b.file === "localrc");
  const lines: string[] = [];
  const origins: LineOrigin[] = [];
  let source: LocalrcText["source"] = "none";
  const localrcPath = join(dir, "localrc");
  if (await isReadableFile(localrcPath)) {
    source = "localrc";
    if (localBlocks.length > 0)
      notices.push(`${localrcPath} and the [[local|localrc]] block at ${path}:${localBlocks[0]!.line} both exist; using ${localrcPath}, as DevStack does`);
    splitLines(await readFile(localrcPath, "utf8")).forEach((t, i) => {
      lines.push(t);
      origins.push({ file: localrcPath, line: i + 1 });
    });
  } else if (localBlocks.length > 0) {
    source = "local.conf";
    for (const block of localBlocks)
      for (const { line, text: t } of block.body) {
        lines.push(t);
        origins.push({ file: path, line });
      }
  }

  const extra = opts.env[ENV_LOCAL_CONFIG];
  if (extra) {
    splitLines(extra).forEach((t, i) => {
      lines.push(t);
      origins.push({ file: ENV_LOCAL_CONFIG, line: i + 1 });
    });
  }

  return {
    path,
    dir,
    blocks,
    localrc: { text: lines.length > 0 ? `${lines.join("\n")}\n` : "", lines: origins, source },
    merges: collectMerges(blocks, path, notices),
    notices,
  };
}
