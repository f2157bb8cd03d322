// The Chaos Mesh object for one fault: labelled so a sweep finds it, with explicit namespaces and a
// duration after which Chaos Mesh recovers by itself even if bulwark is gone.
import { UsageError } from "../../scripts/core/errors.ts";
import {
  chaosApiVersion,
  chaosDurationSchema,
  dnsLabelPattern,
  experimentLabel,
  labelValuePattern,
  managedByLabel,
  modeValueProblem,
  podSelectorSchema,
  runIdLabel,
  type ChaosObject,
  type PodSelector,
  type SelectorMode,
} from "./common.ts";
import { faultProblems, faultSchema, kindSpec, type Fault, type FaultInput } from "./schema.ts";

export interface ChaosObjectOptions {
  /** object name: a DNS label (lowercase, digits, '-', at most 63 characters); see chaosObjectName */
  name: string;
  /** where the object lives (Chaos Mesh injects into `selector.namespaces`, which may differ) */
  namespace: string;
  selector: PodSelector;
  mode: SelectorMode;
  /** pods for mode fixed, percent for fixed-percent and random-max-percent; absent for one and all */
  value?: number;
  /** Go duration after which Chaos Mesh recovers by itself: "30s" */
  duration: string;
  runId: string;
  experiment: string;
  /** more labels; the bulwark labels always win */
  labels?: Record<string, string>;
}

/** Builds the manifest; every input is validated first (UsageError naming the field, exit 2). */
export function buildChaosObject(fault: Fault | FaultInput, options: ChaosObjectOptions): ChaosObject {
  const problems = [...faultProblems(fault), ...optionProblems(options)];
  if (problems.length > 0) throw new UsageError(`chaos object ${options.name}: ${problems.join("; ")}`);
  const parsed = faultSchema.parse(fault);
  const selector = podSelectorSchema.parse(options.selector);
  return {
    apiVersion: chaosApiVersion,
    kind: parsed.kind,
    metadata: {
      name: options.name,
      namespace: options.namespace,
      labels: { ...options.labels, ...managedByLabel, [runIdLabel]: options.runId, [experimentLabel]: options.experiment },
    },
    spec: {
      selector: { namespaces: [...selector.namespaces], ...(selector.labelSelectors ? { labelSelectors: { ...selector.labelSelectors } } : {}) },
      mode: options.mode,
      ...(options.value !== undefined ? { value: String(options.value) } : {}),
      duration: options.duration,
      ...kindSpec(parsed),
    },
  };
}

function optionProblems(options: ChaosObjectOptions): string[] {
  const problems: string[] = [];
  if (!dnsLabelPattern.test(options.name)) problems.push(`name: "${options.name}" is not a DNS label (lowercase letters, digits, '-', at most 63 characters)`);
  if (!dnsLabelPattern.test(options.namespace)) problems.push(`namespace: "${options.namespace}" is not a namespace name`);
  const selector = podSelectorSchema.safeParse(options.selector);
  if (!selector.success) problems.push(...selector.error.issues.map((issue) => `selector.${issue.path.join(".")}: ${issue.message}`));
  const modeProblem = modeValueProblem(options.mode, options.value);
  if (modeProblem) problems.push(`value: ${modeProblem}`);
  if (!chaosDurationSchema.safeParse(options.duration).success) problems.push(`duration: "${options.duration}" is not a positive duration such as "30s" or "5m"`);
  for (const [field, value] of [["runId", options.runId], ["experiment", options.experiment]] as const) {
    if (!labelValuePattern.test(value)) problems.push(`${field}: "${value}" cannot be a label value (letters, digits, '-', '_', '.', at most 63 characters)`);
  }
  return problems;
}

/** A valid, unique-enough object name from an experiment, a fault's position and the run: "pod-kill-demo-1-20260101t120000". */
export function chaosObjectName(experiment: string, faultIndex: number, runId: string): string {
  const slug = (text: string) => text.toLowerCase().replace(/[^a-z0-9-]+/g, "-").replace(/^-+|-+$/g, "");
  const suffix = `-${faultIndex + 1}-${slug(runId)}`.slice(0, 40);
  const head = slug(experiment).slice(0, 63 - suffix.length).replace(/-+$/, "") || "chaos";
  return `${head}${suffix}`.replace(/-+$/, "");
}
