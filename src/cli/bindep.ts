// `plugstack bindep`: a drop-in for the `bindep` command (same options, same
// output on stdout). Exit status: 0 nothing missing, 1 something missing or at
// a bad version, 2 a parse error in the file or bad usage (bindep itself exits
// 1 for a parse error and for a missing file, with a traceback/message on
// stdout; plugstack reports those on stderr and exits 2).
import { type ArgsDef, defineCommand } from "citty";
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

/** bindep's options, once: the parser below and the citty args (help, completion, README check) both read this table. */
interface BindepOption {
  /** the long name as bindep spells it (citty's key) */
  name: string;
  /** other long spellings argparse accepts */
  also?: string[];
  short?: string;
  /** how argparse names the option in its errors */
  label: string;
  /** the value it takes (none: a switch) */
  value?: string;
  /** the only values allowed */
  choices?: string[];
  description: string;
  /** accepted, but not listed in --help (bindep's own --version) */
  hidden?: boolean;
  apply(out: BindepArgs, value: string): void;
}

const OPTIONS: readonly BindepOption[] = [
  {
    name: "brief",
    short: "b",
    label: "-b/--brief",
    description: "List only missing packages one per line.",
    apply: (o) => {
      o.brief = true;
    },
  },
  {
    name: "file",
    short: "f",
    label: "-f/--file",
    value: "FILE",
    description: "Package list file (default: bindep.txt or other-requirements.txt); - reads stdin.",
    apply: (o, v) => {
      o.file = v;
    },
  },
  {
    name: "profiles",
    label: "--profiles",
    description: "List the platform and configuration profiles.",
    apply: (o) => {
      o.showProfiles = true;
    },
  },
  {
    name: "list_all",
    also: ["list-all"],
    short: "l",
    label: "--list_all/-l",
    value: "newline|csv",
    choices: ["newline", "csv"],
    description: "List all dependencies for this platform and profile.",
    apply: (o, v) => {
      o.listAll = v as BindepArgs["listAll"];
    },
  },
  {
    name: "version",
    label: "--version",
    description: "Print the version.",
    hidden: true,
    apply: (o) => {
      o.version = true;
    },
  },
  {
    name: "json",
    label: "--json",
    description: commonArgs.json.description,
    apply: (o) => {
      o.json = true;
    },
  },
];

/** bindep's argparse rules: long options may be abbreviated, short ones clustered (-bl csv, -fFILE). */
export function parseBindepArgs(argv: string[]): BindepArgs {
  const out: BindepArgs = { brief: false, showProfiles: false, profiles: [], version: false, json: false };
  const spellings = OPTIONS.flatMap((o) => [o.name, ...(o.also ?? [])].map((spelling) => ({ spelling, option: o })));
  const set = (option: BindepOption, inline: string | undefined, i: number): number => {
    if (!option.value) {
      if (inline !== undefined) throw new UsageError(`argument --${option.name}: ignored explicit argument '${inline}'`);
      option.apply(out, "");
      return i;
    }
    let value = inline;
    if (value === undefined) {
      const next = argv[i + 1];
      if (next === undefined || (next.startsWith("-") && next !== "-")) throw new UsageError(`argument ${option.label}: expected one argument`);
      value = next;
      i++;
    }
    if (option.choices && !option.choices.includes(value)) {
      throw new UsageError(`argument ${option.label}: invalid choice: '${value}' (choose from ${option.choices.map((c) => `'${c}'`).join(", ")})`);
    }
    option.apply(out, value);
    return i;
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
      const exact = spellings.find((x) => x.spelling === given);
      const hits = exact ? [exact] : spellings.filter((x) => x.spelling.startsWith(given));
      const options = new Set(hits.map((h) => h.option));
      if (options.size !== 1) {
        throw new UsageError(
          hits.length ? `ambiguous option: --${given} could match ${hits.map((h) => `--${h.spelling}`).join(", ")}` : `unrecognized arguments: ${arg}`,
        );
      }
      i = set([...options][0]!, eq < 0 ? undefined : arg.slice(eq + 1), i);
      continue;
    }
    if (arg.startsWith("-") && arg !== "-") {
      for (let k = 1; k < arg.length; k++) {
        const option = OPTIONS.find((o) => o.short === arg[k]);
        if (!option) throw new UsageError(`unrecognized arguments: ${arg}`);
        if (!option.value) {
          option.apply(out, "");
          continue;
        }
        i = set(option, arg.slice(k + 1) || undefined, i);
        break;
      }
      continue;
    }
    out.profiles.push(arg);
  }
  return out;
}

/** The table as citty args (hidden options left out). */
function cittyArgs(): ArgsDef {
  const args: ArgsDef = {};
  for (const o of OPTIONS) {
    if (o.hidden) continue;
    args[o.name] = o.value
      ? { type: "string", ...(o.short ? { alias: o.short } : {}), valueHint: o.value, description: o.description }
      : { type: "boolean", ...(o.short ? { alias: o.short } : {}), description: o.description };
  }
  args.profile = {
    type: "positional",
    required: false,
    description: "Extra profiles to match when checking for packages (default: default).",
    valueHint: "PROFILE...",
  };
  return args;
}

export default defineCommand({
  meta: {
    name: "bindep",
    description: "Report missing binary packages from bindep.txt, as the bindep command does (no Python needed)",
  },
  args: cittyArgs(),
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
