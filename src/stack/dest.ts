// DEST: DevStack's default rule, in one place (pure).

/** DevStack's stackrc default for DEST. */
export const DEFAULT_DEST = "/opt/stack";

/** DEST for a run: --dest, else DEST as localrc left it, else DevStack's default. */
export function destFor(flag: string | undefined, vars: Record<string, string | undefined>): string {
  return flag ?? vars.DEST ?? DEFAULT_DEST;
}
