// The two containers of the monitoring estate, run with host networking so that Prometheus reaches
// targets on 127.0.0.1 (the demo target, bulwark's webhook) and both listen on loopback ports only.
import { ToolingError } from "../../core/errors.ts";
import { exec, tail } from "../../core/exec.ts";
import { labels, resolveImage } from "../containers/images.ts";
import { mountPoint, type MonitoringPorts } from "./settings.ts";

export type MonitoringService = "prometheus" | "alertmanager";
export const monitoringServices: readonly MonitoringService[] = ["prometheus", "alertmanager"];

/** Label that ties a container to one estate (its id), so `down` removes exactly its own containers. */
export const estateLabel = "org.bulwark.monitoring";

export const containerName = (id: string, service: MonitoringService): string => `bulwark-monitoring-${id}-${service}`;

function serviceArgs(service: MonitoringService, ports: MonitoringPorts): string[] {
  if (service === "prometheus") {
    return [
      `--config.file=${mountPoint}/prometheus.yml`,
      "--storage.tsdb.path=/prometheus",
      "--storage.tsdb.retention.time=1d",
      `--web.listen-address=127.0.0.1:${ports.prometheus}`,
      `--web.external-url=http://127.0.0.1:${ports.prometheus}`,
      // POST /-/reload: `bulwark local up --monitoring` on a running estate loads changed rules without a restart.
      "--web.enable-lifecycle",
    ];
  }
  return [
    `--config.file=${mountPoint}/alertmanager.yml`,
    "--storage.path=/alertmanager",
    `--web.listen-address=127.0.0.1:${ports.alertmanager}`,
    `--web.external-url=http://127.0.0.1:${ports.alertmanager}`,
    // A single Alertmanager: no gossip port on the host network.
    "--cluster.listen-address=",
  ];
}

export async function startService(id: string, service: MonitoringService, dir: string, ports: MonitoringPorts): Promise<void> {
  const name = containerName(id, service);
  await exec("docker", ["rm", "--force", name]);
  const result = await exec("docker", [
    "run", "--detach", "--name", name, "--network", "host",
    "--label", `${labels.managed}=true`, "--label", `${estateLabel}=${id}`,
    "--volume", `${dir}:${mountPoint}:ro`,
    resolveImage(service).reference,
    ...serviceArgs(service, ports),
  ]);
  if (result.code !== 0) throw new ToolingError(`monitoring: ${service} container did not start: ${tail(result.stderr || result.stdout, 5)}`);
}

/** True when the container exists and runs. */
export async function isRunning(id: string, service: MonitoringService): Promise<boolean> {
  // No docker CLI at all (a machine without the container estate): nothing runs.
  const result = await exec("docker", ["inspect", "--format", "{{.State.Running}}", containerName(id, service)]).catch(() => undefined);
  return result?.code === 0 && result.stdout.trim() === "true";
}

export async function containerLogs(id: string, service: MonitoringService, lines = 15): Promise<string> {
  const result = await exec("docker", ["logs", "--tail", String(lines), containerName(id, service)]);
  return tail(result.stdout + result.stderr, lines);
}

/** Removes every container of the estate; returns how many there were. */
export async function removeServices(id: string): Promise<number> {
  const listed = await exec("docker", ["ps", "--all", "--quiet", "--filter", `label=${estateLabel}=${id}`]).catch(() => undefined);
  const ids = (listed?.code === 0 ? listed.stdout : "").split("\n").filter(Boolean);
  if (ids.length > 0) await exec("docker", ["rm", "--force", "--volumes", ...ids]);
  return ids.length;
}
