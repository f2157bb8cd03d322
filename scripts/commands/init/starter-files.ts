/** The starter `bulwark init` writes into a repository: config, one scenario, its tsconfig, CI templates. */

export const starterScenarioName = "journey";

export function starterConfig(baseUrl: string): string {
  const config = {
    $schema: "./node_modules/bulwark/docs/config.schema.json",
    endpoints: [{ name: "health", method: "GET", path: "/health", criticality: "standard" }],
    suites: {
      nightly: {
        description: "CI gate: every endpoint inside its SLO",
        profile: "smoke",
        steps: [{ scenario: "endpoints" }, { scenario: starterScenarioName }],
      },
    },
    environments: {
      target: { description: "the service under test", baseUrl, healthPath: "/health" },
    },
    defaultEnvironment: "target",
  };
  return JSON.stringify(config, null, 2) + "\n";
}

export const starterScenario = `import { sleep } from "k6";
import { defineScenario } from "bulwark/scenario";

// A user's journey through your service. List the endpoints (names from bulwark.config.json) it calls:
// each gets its SLO thresholds. Run it with: npx bulwark run ${starterScenarioName}
export const scenario = defineScenario({
  name: "${starterScenarioName}",
  description: "a user's journey through the service",
  endpoints: ["health"],
  defaultProfile: "smoke",
});
export const options = scenario.options;
export const setup = scenario.setup;

export default function journey(): void {
  scenario.call("health");
  sleep(0.1);
}
`;

export const scenariosTsconfig =
  JSON.stringify(
    {
      compilerOptions: {
        target: "ES2020",
        module: "ESNext",
        moduleResolution: "Bundler",
        lib: ["ES2020"],
        types: ["k6"],
        strict: true,
        noUncheckedIndexedAccess: true,
        skipLibCheck: true,
        allowImportingTsExtensions: true,
        verbatimModuleSyntax: true,
        noEmit: true,
      },
      include: ["./**/*.ts"],
    },
    null,
    2,
  ) + "\n";

/** The newest run folder of reports/ (run ids sort by time). */
const lastRun = `"$(ls -1d reports/[0-9]*/ | tail -n 1)"`;

export const githubWorkflow = `# bulwark's nightly SLO gate (written by 'bulwark init'; see node_modules/bulwark/docs/your-service.md).
name: bulwark

on:
  schedule:
    - cron: "17 3 * * *"
  workflow_dispatch:

permissions:
  contents: read
  checks: write

jobs:
  gate:
    runs-on: ubuntu-latest
    timeout-minutes: 60
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-node@v4
        with:
          node-version: 20
          cache: npm
      - uses: actions/setup-go@v5
        with:
          go-version: stable
          cache: false
      # The load engine is built once from its Go sources, then reused (keyed by the installed bulwark).
      - name: Cache the load engine build
        uses: actions/cache@v4
        with:
          path: ~/.cache/bulwark/engine
          key: bulwark-engine-\${{ runner.os }}-\${{ hashFiles('package-lock.json') }}
      # Baselines compare each run with the history of earlier runs: keep it between runs.
      - name: Keep the run history
        uses: actions/cache@v4
        with:
          path: reports/history
          key: bulwark-history-\${{ github.run_id }}
          restore-keys: bulwark-history-
      - name: Install
        run: npm ci
      - name: Check the config and the scenarios
        run: npx bulwark validate
      - name: Nightly gate
        run: npx bulwark gate nightly
      - name: Job summary
        if: always()
        run: |
          run_dir=${lastRun}
          cat "\${run_dir}summary.md" >> "$GITHUB_STEP_SUMMARY"
      - name: Publish junit.xml as a check
        if: always()
        uses: mikepenz/action-junit-report@v5
        with:
          report_paths: reports/*/junit.xml
          check_name: bulwark gate
      - name: Upload the run folder
        if: always()
        uses: actions/upload-artifact@v4
        with:
          name: bulwark-run
          path: |
            reports/
            !reports/history/
`;

export const gitlabCi = `# bulwark's nightly SLO gate (written by 'bulwark init'; see node_modules/bulwark/docs/your-service.md).
# Runs on a pipeline schedule (CI/CD > Schedules) and when started by hand.
bulwark-gate:
  image: node:20-bookworm
  rules:
    - if: $CI_PIPELINE_SOURCE == "schedule"
    - if: $CI_PIPELINE_SOURCE == "web"
  variables:
    # GitLab caches only folders inside the project: bulwark's cache (the engine build) goes there.
    BULWARK_CACHE_DIR: $CI_PROJECT_DIR/.cache/bulwark
    GO_VERSION: "1.26.0"
  cache:
    - key: bulwark-engine
      paths:
        - .cache/bulwark/engine
    # Baselines compare each run with the history of earlier runs: keep it between runs.
    - key: bulwark-history
      paths:
        - reports/history
  script:
    - command -v go || (curl -fsSL "https://go.dev/dl/go\${GO_VERSION}.linux-amd64.tar.gz" | tar -C /usr/local -xz)
    - export PATH="$PATH:/usr/local/go/bin"
    - npm ci
    - npx bulwark validate
    - npx bulwark gate nightly
  after_script:
    - cat ${lastRun}summary.md
  artifacts:
    when: always
    paths:
      - reports/
    exclude:
      - reports/history/**/*
    reports:
      junit: reports/*/junit.xml
`;

export interface StarterFile {
  path: string;
  content: string;
}

export function starterFiles(baseUrl: string): StarterFile[] {
  return [
    { path: "bulwark.config.json", content: starterConfig(baseUrl) },
    { path: `scenarios/${starterScenarioName}.ts`, content: starterScenario },
    { path: "scenarios/tsconfig.json", content: scenariosTsconfig },
    { path: ".github/workflows/bulwark.yml", content: githubWorkflow },
    { path: ".gitlab-ci.yml", content: gitlabCi },
  ];
}
