// `plugstack bindep`: a drop-in for the `bindep` command (same options, same
// output on stdout). Exit status: 0 nothing missing, 1 something missing or at
// a bad version, 2 a parse error in the file or bad usage (bindep itself exits
// 1 for a parse error and for a missing file, with a traceback/message on
// stdout; plugstack reports those on stderr and exits 2).
import { defineCommand } from "citty";
import { UsageError } from "../errors.ts";
import { runBindep } from "../packages/bindep-run.ts";
import { runAction } from "./output.ts";
import { commonArgs } from "./shared.ts";

export interface BindepArgs {
  brief: boolean;
  file?: string;
  showProfiles: boolean;
  listAll?: "newline" | "csv";
  profiles: string[];
  version: boolean;
  /** plugstack's own: the plugstack/1 envelope on stdout instead of bindep's text */
  json: boolean;
}

const LONG = ["brief", "file", "profiles", "list_all", "list-all", "version", "json"] as const;

/** bindep's argparse rules: long options may be abbreviated, short ones clustered (-bl csv, -fFILE). */
export function parseBindepArgs(argv: string[]): BindepArgs {
  const out: BindepArgs = { brief: false, showProfiles: false, profiles: [], version: false, json: false };
  const take = (opt: string, inline: string | undefined, i: number): [string, number] => {
    if (inline !== undefined) return [inline, i];
    const next = argv[i + 1];
    if (next === undefined || (next.startsWith("-") && next !== "-")) throw new UsageError(`argument ${opt}: expected one argument`);
    return [next, i + 1];
  };
  const setList = (opt: string, value: string) => {
    if (value !== "newline" && value !== "csv") {
      throw new UsageError(`argument ${opt}: invalid choice: '${value}' (choose from 'newline', 'csv')`);
    }
    out.listAll = value;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--") {
      out.profiles.push(...argv.slice(i + 1));
      break;
    }
    if (arg.startsWith("--")) {
      const eq = arg.indexOf("=");
      const given = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
      const inline = eq < 0 ? undefined : arg.slice(eq + 1);
      const exact = LONG.find((o) => o === given);
      const hits = exact ? [exact] : LONG.filter((o) => o.startsWith(given));
      const names = new Set(hits.map((h) => (h === "list-all" ? "list_all" : h)));
      if (names.size !== 1) {
        throw new UsageError(hits.length ? `ambiguous option: --${given} could match ${hits.map((h) => `--${h}`).join(", ")}` : `unrecognized arguments: ${arg}`);
      }
      const name = [...names][0]!;
      if (name === "file") [out.file, i] = take("-f/--file", inline, i);
      else if (name === "list_all") {
        let v: string;
        [v, i] = take("--list_all/-l", inline, i);
        setList("--list_all/-l", v);
      } else if (inline !== undefined) throw new UsageError(`argument --${name}: ignored explicit argument '${inline}'`);
      else if (name === "brief") out.brief = true;
      else if (name === "profiles") out.showProfiles = true;
      else if (name === "json") out.json = true;
      else out.version = true;
      continue;
    }
    if (arg.startsWith("-") && arg !== "-") {
      for (let k = 1; k < arg.length; k++) {
        const c = arg[k];
        const rest = arg.slice(k + 1) || undefined;
        if (c === "b") out.brief = true;
        else if (c === "f" || c === "l") {
          let v: string;
          [v, i] = take(c === "f" ? "-f/--file" : "--list_all/-l", rest, i);
          if (c === "f") out.file = v;
          else setList("--list_all/-l", v);
          break;
        } else throw new UsageError(`unrecognized arguments: ${arg}`);
      }
      continue;
    }
    out.profiles.push(arg);
  }
  return out;
}

export default defineCommand({
  meta: {
    name: "bindep",
    description: "Report missing binary packages from bindep.txt, as the bindep command does (no Python needed)",
  },
  args: {
    brief: { type: "boolean", alias: "b", description: "List only missing packages one per line." },
    file: { type: "string", alias: "f", valueHint: "FILE", description: "Package list file (default: bindep.txt or other-requirements.txt); - reads stdin." },
    profiles: { type: "boolean", description: "List the platform and configuration profiles." },
    list_all: { type: "string", alias: "l", valueHint: "newline|csv", description: "List all dependencies for this platform and profile." },
    json: commonArgs.json,
    profile: { type: "positional", required: false, description: "Extra profiles to match when checking for packages (default: default).", valueHint: "PROFILE..." },
  },
  async run({ rawArgs }) {
    // usage errors are reported through the envelope too, so --json is looked for before parsing
    const end = rawArgs.indexOf("--");
    const json = (end < 0 ? rawArgs : rawArgs.slice(0, end)).includes("--json");
    await runAction("bindep", { json }, async (io) => {
      const args = parseBindepArgs(rawArgs);
      if (args.version) {
        io.result({ version: "bindep (plugstack)" });
        if (!io.json) process.stdout.write("bindep (plugstack)\n");
        return 0;
      }
      const result = await runBindep({
        cwd: process.cwd(),
        env: process.env,
        file: args.file,
        brief: args.brief,
        listAll: args.listAll,
        showProfiles: args.showProfiles,
        profiles: args.profiles,
      });
      io.result({
        file: result.file,
        platform: result.platform,
        profiles: result.profiles,
        packages: result.packages,
        missing: result.missing,
        badVersions: result.badVersions,
      });
      if (!io.json) process.stdout.write(result.stdout);
      return result.exitCode;
    });
  },
});
