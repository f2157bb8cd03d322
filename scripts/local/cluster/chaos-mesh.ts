// Chaos Mesh out of cluster: its CRDs from the pinned module's own manifests, and chaos-controller-manager
// as a local process (self-signed webhook certificate, leader election off, everything on 127.0.0.1).
// Its admission webhooks are registered with the API server by URL, so objects are defaulted and
// validated exactly as in an in-cluster install.
import { spawn } from "node:child_process";
import { existsSync, openSync, closeSync } from "node:fs";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { connect } from "node:net";
import { join } from "node:path";
import { ToolingError } from "../../core/errors.ts";
import { exec, tail } from "../../core/exec.ts";
import { freeLoopbackPort } from "../../core/free-port.ts";
import type { Kubectl } from "./kubectl.ts";
import { isProcessAlive } from "../../core/process-lock.ts";
import { cameWithin, waitFor, waitForOrThrow } from "../../core/wait-for.ts";
import { statePaths } from "./paths.ts";

export const chaosNamespace = "chaos-mesh";
/**
 * Kinds whose webhooks are registered (the fault kinds bulwark builds); the webhook server serves
 * /mutate-chaos-mesh-org-v1alpha1-<kind> and /validate-chaos-mesh-org-v1alpha1-<kind> for each.
 */
export const chaosWebhookKinds = ["podchaos", "networkchaos", "stresschaos", "httpchaos", "iochaos", "timechaos", "dnschaos"] as const;
const webhookResources = chaosWebhookKinds.map((kind) => ({ kind, plural: kind }));

export interface ChaosState {
  pid: number;
  webhookPort: number;
  metricsPort: number;
  binary: string;
}

export async function readChaosState(): Promise<ChaosState | undefined> {
  const text = await readFile(statePaths.chaosState(), "utf8").catch(() => undefined);
  return text ? (JSON.parse(text) as ChaosState) : undefined;
}

export async function installCrds(kubectl: Kubectl, crdFile: string): Promise<void> {
  // Server-side apply: the CRDs are too large for the last-applied annotation of client-side apply.
  await kubectl.must(["apply", "--server-side", "--force-conflicts", "--field-manager=bulwark", "-f", crdFile]);
  await kubectl.must(["wait", "--for=condition=Established", "--timeout=60s", "crd/podchaos.chaos-mesh.org", "crd/networkchaos.chaos-mesh.org", "crd/schedules.chaos-mesh.org"]);
  await alignNetworkChaosCrd(kubectl);
}

/**
 * The controller is built against the api module at chaosMeshApiVersion, whose NetworkChaosSpec has a
 * `partitionBehavior` field (enum drop/reject, default drop) that the CRD of chaosMeshVersion lacks. The
 * API server would prune it, and Chaos Mesh's validating webhook then refuses every update the controller
 * makes to a NetworkChaos ("Cannot update chaos spec": its defaulted spec differs from the stored one).
 * Adding the field to the CRD's schema, as the api module declares it, makes the two agree. Idempotent.
 */
async function alignNetworkChaosCrd(kubectl: Kubectl): Promise<void> {
  const partitionBehavior = {
    type: "string",
    enum: ["drop", "reject"],
    default: "drop",
    description: "How matched packets are handled for the partition action: drop discards them, reject resets TCP connections and rejects the rest.",
  };
  const path = "/spec/versions/0/schema/openAPIV3Schema/properties/spec/properties/partitionBehavior";
  await kubectl.must(["patch", "crd", "networkchaos.chaos-mesh.org", "--type=json", "-p", JSON.stringify([{ op: "add", path, value: partitionBehavior }])]);
}

function portAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port });
    socket.setTimeout(1000);
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
    socket.once("timeout", () => {
      socket.destroy();
      resolve(false);
    });
  });
}

async function ensureCertificate(): Promise<string> {
  const dir = statePaths.chaosCertDir();
  const cert = join(dir, "tls.crt");
  if (!existsSync(cert) || !existsSync(join(dir, "tls.key"))) {
    await mkdir(dir, { recursive: true });
    const result = await exec("openssl", [
      "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "3650",
      "-subj", "/CN=chaos-mesh-webhook.bulwark.local",
      "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
      "-keyout", join(dir, "tls.key"), "-out", cert,
    ]).catch((error: Error) => ({ code: -1, stdout: "", stderr: error.message, signal: null }));
    if (result.code !== 0) throw new ToolingError(`chaos-mesh: could not create the webhook certificate with openssl (apt-get install openssl): ${tail(result.stderr, 3)}`);
  }
  return readFile(cert, "utf8");
}

/** The controller is running when its recorded process is alive and is our binary. */
export async function chaosControllerAlive(): Promise<ChaosState | undefined> {
  const state = await readChaosState();
  if (!state || !isProcessAlive(state.pid)) return undefined;
  const commandLine = await readFile(`/proc/${state.pid}/cmdline`, "utf8").catch(() => "");
  return commandLine.startsWith(state.binary) ? state : undefined;
}

export async function ensureChaosController(binary: string, kubectl: Kubectl, kubeconfig: string, log: (line: string) => void): Promise<"reused" | "started"> {
  const running = await chaosControllerAlive();
  if (running) {
    // Idempotent: a cluster started before a kind was added gets its webhooks too.
    await registerWebhooks(kubectl, running.webhookPort, Buffer.from(await ensureCertificate()).toString("base64"));
    return "reused";
  }
  await kubectl.must(["apply", "-f", "-"], JSON.stringify({ apiVersion: "v1", kind: "Namespace", metadata: { name: chaosNamespace } }));
  const caBundle = Buffer.from(await ensureCertificate()).toString("base64");
  const [webhookPort, metricsPort] = [await freeLoopbackPort(), await freeLoopbackPort()];
  const logFd = openSync(statePaths.chaosLog(), "a");
  const child = spawn(binary, [], {
    detached: true,
    stdio: ["ignore", logFd, logFd],
    env: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      HOME: process.env.HOME ?? "/",
      KUBECONFIG: kubeconfig,
      NAMESPACE: chaosNamespace,
      ENABLE_LEADER_ELECTION: "false",
      WEBHOOK_HOST: "127.0.0.1",
      WEBHOOK_PORT: String(webhookPort),
      METRICS_HOST: "127.0.0.1",
      METRICS_PORT: String(metricsPort),
      PPROF_ADDR: "0",
      CERTS_DIR: statePaths.chaosCertDir(),
      CLUSTER_SCOPED: "true",
    },
  });
  closeSync(logFd);
  child.unref();
  if (!child.pid) throw new ToolingError("chaos-mesh: could not start chaos-controller-manager");
  const state: ChaosState = { pid: child.pid, webhookPort, metricsPort, binary };
  await writeFile(statePaths.chaosPidFile(), String(child.pid));
  await writeFile(statePaths.chaosState(), JSON.stringify(state, null, 2) + "\n");

  const pid = child.pid;
  await waitForOrThrow(
    async () => {
      if (await portAnswers(webhookPort)) return true;
      if (!isProcessAlive(pid)) {
        const output = await readFile(statePaths.chaosLog(), "utf8").catch(() => "");
        throw new ToolingError(`chaos-mesh: chaos-controller-manager exited during start (log ${statePaths.chaosLog()}):\n${tail(output, 10)}`);
      }
      return false;
    },
    { timeoutMs: 90_000, intervalMs: 500, description: `the chaos-mesh webhook server on 127.0.0.1:${webhookPort}` },
    () => new ToolingError(`chaos-mesh: webhook server did not listen on 127.0.0.1:${webhookPort} within 90 s (log ${statePaths.chaosLog()})`),
  );
  await registerWebhooks(kubectl, webhookPort, caBundle);
  log(`chaos-mesh: chaos-controller-manager running (pid ${child.pid}, webhook 127.0.0.1:${webhookPort}, metrics 127.0.0.1:${metricsPort})`);
  return "started";
}

async function registerWebhooks(kubectl: Kubectl, port: number, caBundle: string): Promise<void> {
  const webhook = (verb: "mutate" | "validate", resource: (typeof webhookResources)[number]) => ({
    name: `${verb}-${resource.kind}.chaos-mesh.org`,
    clientConfig: { url: `https://127.0.0.1:${port}/${verb}-chaos-mesh-org-v1alpha1-${resource.kind}`, caBundle },
    rules: [{ apiGroups: ["chaos-mesh.org"], apiVersions: ["v1alpha1"], operations: ["CREATE", "UPDATE"], resources: [resource.plural] }],
    failurePolicy: "Fail",
    sideEffects: "None",
    admissionReviewVersions: ["v1"],
    timeoutSeconds: 10,
  });
  const list = {
    apiVersion: "v1",
    kind: "List",
    items: [
      {
        apiVersion: "admissionregistration.k8s.io/v1",
        kind: "MutatingWebhookConfiguration",
        metadata: { name: "chaos-mesh-mutation", labels: { "app.kubernetes.io/managed-by": "bulwark" } },
        webhooks: webhookResources.map((resource) => webhook("mutate", resource)),
      },
      {
        apiVersion: "admissionregistration.k8s.io/v1",
        kind: "ValidatingWebhookConfiguration",
        metadata: { name: "chaos-mesh-validation", labels: { "app.kubernetes.io/managed-by": "bulwark" } },
        webhooks: webhookResources.map((resource) => webhook("validate", resource)),
      },
    ],
  };
  await kubectl.must(["apply", "-f", "-"], JSON.stringify(list));
}

/** Stops chaos-controller-manager if it is ours and alive; returns once it has exited. */
export async function stopChaosController(): Promise<void> {
  const state = await chaosControllerAlive();
  if (state) {
    process.kill(state.pid, "SIGTERM");
    // It stops its manager on SIGTERM but the process itself does not always exit: give it a moment, then kill.
    const exited = () => !isProcessAlive(state.pid);
    if (!(await cameWithin(exited, { timeoutMs: 3_000, intervalMs: 200, description: "chaos-controller-manager to exit" }))) {
      process.kill(state.pid, "SIGKILL");
      await waitFor(exited, { timeoutMs: 30_000, intervalMs: 100, description: `chaos-controller-manager (pid ${state.pid}) to exit after SIGKILL` });
    }
  }
  await rm(statePaths.chaosPidFile(), { force: true });
  await rm(statePaths.chaosState(), { force: true });
}
