// The only entry point: argv -> subcommand. Subcommands load lazily so that
// `plugstack --version` starts fast.
import { defineCommand, runMain } from "citty";

declare const PLUGSTACK_VERSION: string;
export const version = typeof PLUGSTACK_VERSION === "string" ? PLUGSTACK_VERSION : "0.0.0-dev";

const main = defineCommand({
  meta: { name: "plugstack", version, description: "Run DevStack plugins, unchanged, from one binary" },
  subCommands: {
    stack: () => import("./stack.ts").then((m) => m.stackCommand),
    unstack: () => import("./stack.ts").then((m) => m.unstackCommand),
    clean: () => import("./stack.ts").then((m) => m.cleanCommand),
    plan: () => import("./plan.ts").then((m) => m.default),
    status: () => import("./status.ts").then((m) => m.default),
    lock: () => import("./lock.ts").then((m) => m.default),
    fetch: () => import("./fetch.ts").then((m) => m.default),
    bundle: () => import("./bundle.ts").then((m) => m.default),
    verify: () => import("./verify.ts").then((m) => m.default),
    lib: () => import("./lib.ts").then((m) => m.default),
    bindep: () => import("./bindep.ts").then((m) => m.default),
    internal: () => import("./internal.ts").then((m) => m.default),
  },
});

runMain(main);
