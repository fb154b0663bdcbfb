// Builds dist/plugstack: one self-contained executable.
// No .env / bunfig autoload: a compiled binary would otherwise read .env from
// the user's directory and leak it into the stack shell.
import { $ } from "bun";
import { mkdirSync } from "node:fs";
import { join } from "node:path";

const root = join(import.meta.dir, "..");
mkdirSync(join(root, "dist"), { recursive: true });
const version = (await Bun.file(join(root, "package.json")).json()).version as string;

const result = await $`bun build --compile --minify --sourcemap=none \
  --no-compile-autoload-dotenv --no-compile-autoload-bunfig \
  --define PLUGSTACK_VERSION=${JSON.stringify(version)} \
  ${join(root, "src/cli/main.ts")} --outfile ${join(root, "dist/plugstack")}`
  .cwd(root)
  .quiet()
  .nothrow();
if (result.exitCode !== 0) {
  process.stderr.write(result.stderr);
  process.stderr.write(result.stdout);
  process.exit(result.exitCode);
}
console.error(`built dist/plugstack ${version}`);
