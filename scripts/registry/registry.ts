import { z } from "zod";
import { UsageError } from "../core/errors.ts";
import type { StepKind } from "../kinds/step-kind.ts";
import { validateConfig, validateConfigInterruptibly, type ConfigResult } from "../../thresholds/load-config.ts";
import { anySuiteStepSchema, baseConfigShape, nameSchema, suiteSchemaWith, type BaseConfig } from "../../thresholds/schema.ts";
import { builtInKinds } from "./kinds.ts";

/** The config with every kind's keys: the base's typed fields, the kinds' slices read by each kind. */
export type BulwarkConfig = BaseConfig & Record<string, unknown>;

/** Maps kind names to kinds and assembles the full config schema from the base and the kinds' slices. */
export class Registry {
  readonly #byName = new Map<string, StepKind>();

  constructor(readonly kinds: readonly StepKind[]) {
    for (const kind of kinds) {
      if (this.#byName.has(kind.name)) throw new Error(`step kind '${kind.name}' is registered twice`);
      if (kinds.some((other) => other !== kind && other.suiteStepKey === kind.suiteStepKey)) throw new Error(`suite step key '${kind.suiteStepKey}' is claimed twice`);
      this.#byName.set(kind.name, kind);
    }
  }

  kind(name: string): StepKind {
    const kind = this.#byName.get(name);
    if (!kind) throw new UsageError(`unknown step kind '${name}' (known: ${[...this.#byName.keys()].join(", ")})`);
    return kind;
  }

  /** The kind a suite step belongs to, by the key that names it ({"scenario": …}). */
  kindOfSuiteStep(step: Record<string, unknown>): StepKind | undefined {
    return this.kinds.find((kind) => Object.hasOwn(step, kind.suiteStepKey));
  }

  /** The full config schema: the base keys, every kind's keys, suites whose steps are any kind's. */
  configSchema(): z.ZodType<BulwarkConfig> {
    const stepSchemas = this.kinds.map((kind) => kind.suiteStepSchema);
    const step = (stepSchemas.length === 0 ? anySuiteStepSchema : stepSchemas.length === 1 ? stepSchemas[0]! : z.union(stepSchemas as [z.ZodType, z.ZodType, ...z.ZodType[]])) as z.ZodType<Record<string, unknown>>;
    const shape = Object.assign({}, baseConfigShape, ...this.kinds.map((kind) => kind.configShape), { suites: z.record(nameSchema, suiteSchemaWith(step)) });
    return z.object(shape).strict() as unknown as z.ZodType<BulwarkConfig>;
  }

  validate(raw: unknown): ConfigResult<BulwarkConfig> {
    return validateConfig(raw, this.configSchema(), (config) => this.#kindErrors(config));
  }

  /** As validate, between phases noticing an abort (Ctrl-C): exit 130 with nothing started. */
  validateInterruptibly(raw: unknown, abortSignal?: AbortSignal): Promise<ConfigResult<BulwarkConfig>> {
    return validateConfigInterruptibly(raw, this.configSchema(), (config) => this.#kindErrors(config), abortSignal);
  }

  #kindErrors(config: BulwarkConfig): string[] {
    const stepsByKind = new Map<StepKind, { suite: string; index: number; step: Record<string, unknown> }[]>();
    for (const [suite, definition] of Object.entries(config.suites)) {
      definition.steps.forEach((step, index) => {
        const kind = this.kindOfSuiteStep(step);
        if (!kind) return;
        const steps = stepsByKind.get(kind) ?? [];
        steps.push({ suite, index, step });
        stepsByKind.set(kind, steps);
      });
    }
    return this.kinds.flatMap((kind) => kind.configErrors(config, stepsByKind.get(kind) ?? []));
  }
}

export const defaultRegistry = new Registry(builtInKinds);
