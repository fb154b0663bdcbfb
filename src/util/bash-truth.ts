// How DevStack's trueorfalse reads the values plugstack itself looks at
// (RECLONE, ERROR_ON_CLONE, OFFLINE, PLUGSTACK_* switches).

/** True for a value trueorfalse reads as True. */
export function isTrue(value: string | undefined): boolean {
  return ["1", "yes", "true", "on"].includes((value ?? "").toLowerCase());
}

/** False only for a value trueorfalse reads as False (so an unset value keeps a True default). */
export function isFalse(value: string | undefined): boolean {
  return ["0", "no", "false", "off"].includes((value ?? "").toLowerCase());
}
