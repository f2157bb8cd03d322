import { defineConfig } from "vitest/config";

// One project per kind of test: unit tests are pure and parallel; the others drive real parts
// (k6, Docker, a Kubernetes API server) on a 2-core machine, so their files run one at a time.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "unit",
          include: ["test/unit/**/*.test.ts"],
        },
      },
      {
        test: {
          name: "e2e",
          include: ["test/e2e/**/*.test.ts"],
          globalSetup: ["test/support/e2e-global-setup.ts"],
          fileParallelism: false,
          testTimeout: 180_000,
          hookTimeout: 600_000,
        },
      },
      {
        test: {
          name: "reports",
          include: ["test/reports/**/*.test.ts"],
          // Installs Debian's chromium when missing, builds the CLI and k6; report.html is opened in Chromium.
          globalSetup: ["test/support/reports-global-setup.ts"],
          fileParallelism: false,
          testTimeout: 180_000,
          hookTimeout: 600_000,
        },
      },
      {
        test: {
          name: "containers",
          include: ["test/containers/**/*.test.ts"],
          // Installs and starts the engine and builds the images once per run (cold: a few minutes).
          globalSetup: ["test/support/containers-global-setup.ts"],
          fileParallelism: false,
          testTimeout: 180_000,
          hookTimeout: 1_800_000,
        },
      },
      {
        test: {
          name: "drills",
          include: ["test/drills/**/*.test.ts"],
          // Builds the CLI and makes sure PostgreSQL 15 server binaries exist (apt-get on a fresh machine).
          globalSetup: ["test/support/drills-global-setup.ts"],
          fileParallelism: false,
          // After the other projects: the container tests stop and restart the engine the shipped drill uses.
          sequence: { groupOrder: 1 },
          testTimeout: 180_000,
          hookTimeout: 600_000,
        },
      },
      {
        test: {
          name: "cluster",
          include: ["test/cluster/**/*.test.ts"],
          // Brings the local Kubernetes cluster up once (building it from the Go module proxy on a cold machine).
          globalSetup: ["test/support/cluster-global-setup.ts"],
          fileParallelism: false,
          testTimeout: 300_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
