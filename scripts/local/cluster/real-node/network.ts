// The real node's network: a network namespace of our own with a veth pair to the host's namespace.
// kubelet's node IP, the pods' bridge and every address the API server, metrics-server and the loopback
// front connect to exist only inside what this run made; the host's own interfaces are never targets.
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { ToolingError } from "../../../core/errors.ts";
import { exec, tail } from "../../../core/exec.ts";
import { clusterName } from "../paths.ts";

export interface RealNodeNetwork {
  netns: string;
  /** /run/netns/<netns>, for nsenter --net= */
  netnsPath: string;
  hostVeth: string;
  nodeVeth: string;
  /** the host end of the link (a /30) */
  hostIp: string;
  /** the node end: kubelet's node IP and the address its API listens on */
  nodeIp: string;
  /** pods' addresses, handed out by the CNI bridge inside the namespace and routed from the host via nodeIp */
  podCidr: string;
}

/**
 * Addresses of one cluster instance, from its name: the shared cluster ("bulwark") has 10.213.0.0/30 for
 * the link and 10.213.1.0/24 for pods; another instance gets 10.<a>.<2b>.0/30 and 10.<a>.<2b+1>.0/24 with
 * a and b from a hash of its name (6400 combinations, so two instances practically never meet).
 */
export function realNodeNetwork(name = clusterName): RealNodeNetwork {
  const digest = createHash("sha256").update(name).digest();
  const [a, b] = name === "bulwark" ? [213, 0] : [200 + ((digest[0] ?? 0) % 50), (digest[1] ?? 0) % 128];
  const id = digest.toString("hex").slice(0, 6);
  const netns = `bulwark-${name}`;
  return {
    netns,
    netnsPath: `/run/netns/${netns}`,
    hostVeth: `bw${id}h`,
    nodeVeth: `bw${id}n`,
    hostIp: `10.${a}.${2 * b}.1`,
    nodeIp: `10.${a}.${2 * b}.2`,
    podCidr: `10.${a}.${2 * b + 1}.0/24`,
  };
}

/** True when an IPv4 address lies in the instance's pod range: the only pod addresses the front may reach. */
export function inPodCidr(address: string, network: RealNodeNetwork): boolean {
  const [base = "", bits = "32"] = network.podCidr.split("/");
  const toNumber = (ip: string) => ip.split(".").reduce((value, part) => value * 256 + Number(part), 0);
  if (!/^\d+\.\d+\.\d+\.\d+$/.test(address)) return false;
  const mask = 2 ** 32 - 2 ** (32 - Number(bits));
  return (toNumber(address) & mask) >>> 0 === (toNumber(base) & mask) >>> 0;
}

async function ip(args: string[]): Promise<void> {
  const result = await exec("ip", args);
  if (result.code !== 0) throw new ToolingError(`real node: ip ${args.join(" ")} failed: ${tail(result.stderr || result.stdout, 3)}`);
}

export async function inNamespace(network: RealNodeNetwork, command: string, args: string[]): Promise<void> {
  const result = await exec("nsenter", [`--net=${network.netnsPath}`, command, ...args]);
  if (result.code !== 0) throw new ToolingError(`real node: ${command} ${args.join(" ")} in ${network.netns} failed: ${tail(result.stderr || result.stdout, 3)}`);
}

export function networkExists(network: RealNodeNetwork): boolean {
  return existsSync(network.netnsPath);
}

/** Creates the namespace, the veth pair and the routes; the caller removed any earlier one. */
export async function createNetwork(network: RealNodeNetwork): Promise<void> {
  const taken = (await exec("ip", ["route", "show", "match", network.podCidr.replace(/\.0\/24$/, ".1")])).stdout.split("\n").filter((line) => line.startsWith("10."));
  if (taken.length > 0) throw new ToolingError(`real node: the pod range ${network.podCidr} is already routed on this machine (${taken[0]}); choose another BULWARK_CLUSTER_NAME`);
  await ip(["netns", "add", network.netns]);
  await ip(["link", "add", network.hostVeth, "type", "veth", "peer", "name", network.nodeVeth]);
  await ip(["link", "set", network.nodeVeth, "netns", network.netns]);
  await ip(["addr", "add", `${network.hostIp}/30`, "dev", network.hostVeth]);
  await ip(["link", "set", network.hostVeth, "up"]);
  await inNamespace(network, "ip", ["link", "set", "lo", "up"]);
  await inNamespace(network, "ip", ["addr", "add", `${network.nodeIp}/30`, "dev", network.nodeVeth]);
  await inNamespace(network, "ip", ["link", "set", network.nodeVeth, "up"]);
  // The pods' replies to the host (the front, the API server) leave the bridge through the namespace.
  await inNamespace(network, "sysctl", ["-q", "-w", "net.ipv4.ip_forward=1"]);
  await ip(["route", "add", network.podCidr, "via", network.nodeIp, "dev", network.hostVeth]);
}

/**
 * Removes the route, the veth pair (deleting one end deletes both) and the namespace; quiet when absent.
 * The route goes only together with our veth: a route of that range through another device is not ours.
 */
export async function removeNetwork(network: RealNodeNetwork): Promise<void> {
  await exec("ip", ["route", "del", network.podCidr, "dev", network.hostVeth]);
  await exec("ip", ["link", "del", network.hostVeth]);
  await exec("ip", ["netns", "del", network.netns]);
}

/** What is left of the network (for status and for tests that prove `down` removed it). */
export async function networkLeftovers(network: RealNodeNetwork): Promise<string[]> {
  const left: string[] = [];
  if (networkExists(network)) left.push(`netns ${network.netns}`);
  if ((await exec("ip", ["link", "show", network.hostVeth])).code === 0) left.push(`veth ${network.hostVeth}`);
  if ((await exec("ip", ["route", "show", network.podCidr, "dev", network.hostVeth])).stdout.trim() !== "") left.push(`route ${network.podCidr}`);
  return left;
}
