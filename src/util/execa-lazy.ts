// execa, loaded on its first use rather than at start-up: a warm stack may
// start no process through it at all (the stack shell is started by
// group-child.ts), and loading it costs a few milliseconds. Leaf module.
type Execa = typeof import("execa").execa;

let loaded: Promise<Execa> | undefined;

/** The execa function (the module is loaded once, on the first call). */
export function loadExeca(): Promise<Execa> {
  loaded ??= import("execa").then((m) => m.execa);
  return loaded;
}
