// The rollout checks' bad input only the API server can judge (test/e2e/bad-input-kinds.test.ts has the
// rest): a Deployment or namespace that does not exist, a change that changes nothing or that the API
// server refuses, a paused Deployment, an ambiguous container. Each is exit 2 with one line naming the
// check's field, no stack trace, nothing written, and the Deployment exactly as it was (the change is
// only ever tried as a server-side dry run).
import { describe, expect } from "vitest";
import { clusterTest, deployment, type ClusterClients } from "../support/cluster-fixture.ts";
import { expectContract, type CliCase, type Sandbox } from "../support/bad-input-contract.ts";

interface RefusedChange {
  name: string;
  /** The rollout check `probe` (namespace and deployment default to the test's Deployment `web`). */
  check: (namespace: string) => Record<string, unknown>;
  line: RegExp;
}

const image = (value: string, extra: Record<string, unknown> = {}) => ({ change: { image: value, ...extra } });

const refused: RefusedChange[] = [
  { name: "a Deployment that does not exist", check: () => ({ deployment: "no-such-web", ...image("bulwark/simulated-app:2") }), line: /^bulwark: rolloutChecks\.probe\.deployment: no Deployment bulwark-test-\w+\/no-such-web in the cluster at https?:\/\// },
  { name: "a namespace that does not exist", check: () => ({ namespace: "bulwark-no-such-namespace", ...image("bulwark/simulated-app:2") }), line: /rolloutChecks\.probe\.deployment: no Deployment bulwark-no-such-namespace\/web in the cluster/ },
  { name: "the image the Deployment already runs", check: () => image("bulwark/simulated-app:1"), line: /rolloutChecks\.probe\.change: does not change the pod template \(image app: bulwark\/simulated-app:1 -> bulwark\/simulated-app:1\): nothing would roll out/ },
  { name: "a container the pod does not have", check: () => image("bulwark/simulated-app:2", { container: "sidecar" }), line: /rolloutChecks\.probe\.change\.container: the pod template has no container 'sidecar' \(containers: app\)/ },
  { name: "an empty template patch", check: () => ({ change: { templatePatch: {} } }), line: /rolloutChecks\.probe\.change: does not change the pod template \(pod template patch \{\}\)/ },
  { name: "a label value with a quote and a newline", check: () => ({ change: { templatePatch: { metadata: { labels: { release: 'two"\nthree' } } } } }), line: /rolloutChecks\.probe\.change: the API server refused it: .*spec\.template\.labels: Invalid value/ },
  { name: "a template patch of the wrong shape", check: () => ({ change: { templatePatch: { spec: { containers: "app" } } } }), line: /rolloutChecks\.probe\.change: the API server refused it: / },
  { name: "a paused Deployment", check: () => ({ deployment: "paused-web", ...image("bulwark/simulated-app:2") }), line: /rolloutChecks\.probe\.deployment: bulwark-test-\w+\/paused-web is paused \(it would not roll out\): resume it first/ },
  { name: "an image change on a pod of two containers", check: () => ({ deployment: "two-containers", ...image("bulwark/simulated-app:2") }), line: /rolloutChecks\.probe\.change\.container: the pod template has 2 containers \(app, sidecar\): name the one that gets the image/ },
];

async function createDeployments(kube: ClusterClients, namespace: string): Promise<void> {
  await kube.apps.createNamespacedDeployment({ namespace, body: deployment("web", 1) });
  const paused = deployment("paused-web", 1);
  await kube.apps.createNamespacedDeployment({ namespace, body: { ...paused, spec: { ...paused.spec, paused: true } } });
  const two = deployment("two-containers", 1);
  const [app] = two.spec.template.spec.containers;
  two.spec.template.spec.containers = [app!, { ...app!, name: "sidecar" }];
  await kube.apps.createNamespacedDeployment({ namespace, body: two });
}

/** Each Deployment's pod template and generation: what a dry run must leave alone. */
async function snapshot(kube: ClusterClients, namespace: string): Promise<string> {
  const list = await kube.apps.listNamespacedDeployment({ namespace });
  return JSON.stringify(list.items.map((item) => [item.metadata?.name, item.metadata?.generation, item.spec?.template]).sort());
}

describe("bad input of rollout checks the API server judges", () => {
  clusterTest("every refused change is exit 2 naming the field, and no Deployment changed", async ({ kube, namespace }) => {
    await createDeployments(kube, namespace);
    const before = await snapshot(kube, namespace);
    for (const testCase of refused) {
      const cliCase: CliCase = {
        name: testCase.name,
        args: (sandbox: Sandbox) => [
          "rollout",
          "probe",
          "--config",
          sandbox.config((config) => {
            config.environments.local.kubernetes = { kubeconfig: kube.kubeconfig };
            config.suites = { smoke: { steps: [{ scenario: "smoke" }] } };
            config.rolloutChecks = { probe: { namespace, deployment: "web", expect: { completesWithin: "30s" }, ...testCase.check(namespace) } };
          }),
        ],
        code: 2,
        line: testCase.line,
      };
      await expectContract(cliCase);
    }
    expect(await snapshot(kube, namespace)).toBe(before);
  });
});
