// `plugstack new plugin`: a plugin laid out as DevStack's plugin documentation
// describes it (devstack/settings, devstack/plugin.sh, package lists, bindep.txt,
// a README with the enable_plugin line). The templates are real files under
// scaffold/ (the bash ones are linted like the library). renderScaffold is pure;
// writeScaffold writes the files atomically into a directory that must be new or empty.
import { existsSync, mkdirSync, readdirSync, renameSync, rmdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { PlugstackError, UsageError } from "../errors.ts";
import { tempSibling } from "../util/temp.ts";
import bindep from "./scaffold/bindep.txt" with { type: "text" };
import debs from "./scaffold/debs.txt" with { type: "text" };
import pluginSh from "./scaffold/plugin.sh" with { type: "text" };
import readme from "./scaffold/README.txt" with { type: "text" };
import rpms from "./scaffold/rpms.txt" with { type: "text" };
import settings from "./scaffold/settings.sh" with { type: "text" };

export interface ScaffoldFile {
  /** path relative to the plugin's root */
  path: string;
  text: string;
}

export interface ScaffoldOptions {
  name: string;
  /** the URL the README's enable_plugin line shows */
  url: string;
}

/** Names the scaffold can turn into bash identifiers: a letter first, then [A-Za-z0-9._-]. */
const SCAFFOLD_NAME = /^[A-Za-z][A-Za-z0-9._-]*$/;

/** The files of a new plugin. Pure. */
function renderScaffold(opts: ScaffoldOptions): ScaffoldFile[] {
  if (!SCAFFOLD_NAME.test(opts.name)) {
    throw new UsageError(
      `"${opts.name}" cannot be a plugin name here: it must start with a letter and hold only letters, digits, ".", "_" and "-"`,
      "the name becomes a directory under $DEST and part of bash function and variable names",
    );
  }
  const words = opts.name.replace(/[^A-Za-z0-9]+/g, "_");
  const title = `${opts.name} DevStack plugin`;
  const fill = (t: string) =>
    t
      .replaceAll("__UNAME__", words.toUpperCase())
      .replaceAll("__FNAME__", words.toLowerCase())
      .replaceAll("__TITLE__", title)
      .replaceAll("__RULE__", "=".repeat(title.length))
      .replaceAll("__URL__", opts.url)
      .replaceAll("__NAME__", opts.name);
  return [
    { path: "README.rst", text: fill(readme) },
    { path: "devstack/settings", text: fill(settings) },
    { path: "devstack/plugin.sh", text: fill(pluginSh) },
    { path: `devstack/files/debs/${opts.name}`, text: fill(debs) },
    { path: `devstack/files/rpms/${opts.name}`, text: fill(rpms) },
    { path: "devstack/files/bindep.txt", text: fill(bindep) },
  ];
}

function isEmptyDir(dir: string): boolean {
  return statSync(dir).isDirectory() && readdirSync(dir).length === 0;
}

/**
 * Writes the files into `dir` (created; an existing empty directory is
 * used). A directory with anything in it is refused: nothing is overwritten.
 * The files are written into a temporary directory beside it and renamed
 * into place, so an interrupted run leaves no half-made plugin.
 */
function writeScaffold(dir: string, files: ScaffoldFile[]): void {
  if (existsSync(dir) && !isEmptyDir(dir)) {
    throw new PlugstackError(`${dir} already exists and is not empty; nothing was written`, "choose a new directory: plugstack new plugin NAME DIR");
  }
  mkdirSync(dirname(dir), { recursive: true });
  const tmp = tempSibling(dir);
  try {
    for (const f of files) {
      const path = join(tmp, f.path);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, f.text, { flag: "wx" });
    }
    if (existsSync(dir)) rmdirSync(dir);
    renameSync(tmp, dir);
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    const code = (e as NodeJS.ErrnoException).code;
    if (code) throw new PlugstackError(`cannot create the plugin in ${dir} (${code})`, "check that its parent directory is writable");
    throw e;
  }
}

/** `plugstack new plugin`: the plugin's files written into `dir` (see writeScaffold); its URL defaults to opendev's openstack/NAME. */
export function createPlugin(dir: string, opts: { name: string; url?: string }): ScaffoldFile[] {
  const files = renderScaffold({ name: opts.name, url: opts.url ?? `https://opendev.org/openstack/${opts.name}` });
  writeScaffold(dir, files);
  return files;
}
