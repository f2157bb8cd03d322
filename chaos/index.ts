// Chaos: the faults library (Chaos Mesh objects of every supported kind); drills and experiments have their own folders.
export * from "./faults/index.ts";
