// Chaos experiments under load: the experiment schema, the catalogue, the `chaos` step kind. The
// runner, dry run and sweep load the Kubernetes client: import them from their own modules, lazily.
export { experimentSchema, experimentsConfigShape, probeSchema, methodFaultSchema, faultPhaseName, minimumLoadMs } from "./schema.ts";
export type { Experiment, MethodFault, ProbeDefinition } from "./schema.ts";
export { loadCatalog, findExperiment, experimentsFolder, isBuiltIn } from "./catalog.ts";
export type { Catalog, CatalogEntry, ExperimentsConfig } from "./catalog.ts";
export { chaosKind, plannedChaosStep, checkExperiment, experimentOf } from "./kind.ts";
