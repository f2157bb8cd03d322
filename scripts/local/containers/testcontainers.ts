import { GenericContainer, type PortWithOptionalBinding } from "testcontainers";
import { labels } from "./images.ts";

/**
 * testcontainers settings for an engine that cannot pull: Ryuk (the reaper, an image from a registry) is
 * off, so every caller removes its containers itself (`await using`, `stop()`); the host is 127.0.0.1 so
 * mapped ports are read from the loopback binding. Values the user set are kept.
 */
export function configureTestcontainers(): void {
  process.env.TESTCONTAINERS_RYUK_DISABLED ??= "true";
  process.env.TESTCONTAINERS_HOST_OVERRIDE ??= "127.0.0.1";
}

/**
 * A GenericContainer whose published ports listen on 127.0.0.1 only (Docker's default is every
 * interface) and which carries bulwark's label, so `bulwark local status` and `down` find it.
 */
export class LoopbackContainer extends GenericContainer {
  constructor(image: string) {
    configureTestcontainers();
    super(image);
    this.withLabels({ [labels.managed]: "true" });
  }

  override withExposedPorts(...ports: PortWithOptionalBinding[]): this {
    super.withExposedPorts(...ports);
    for (const bindings of Object.values(this.hostConfig.PortBindings ?? {})) {
      for (const binding of bindings as { HostIp?: string }[]) binding.HostIp = "127.0.0.1";
    }
    return this;
  }
}
