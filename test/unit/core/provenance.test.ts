import { describe, expect, it } from "vitest";
import { ciCommitVariables, gitCommit } from "../../../scripts/core/provenance.ts";

const withoutCiVariables = (): NodeJS.ProcessEnv => Object.fromEntries(Object.entries(process.env).filter(([name]) => !(ciCommitVariables as readonly string[]).includes(name)));

describe("gitCommit", () => {
  it("returns GITHUB_SHA when GitHub Actions sets it", async () => {
    await expect(gitCommit({ ...withoutCiVariables(), GITHUB_SHA: "0123456789abcdef0123456789abcdef01234567" })).resolves.toBe("0123456789abcdef0123456789abcdef01234567");
  });

  it("honours the other CI services' variables, in a fixed order", async () => {
    await expect(gitCommit({ ...withoutCiVariables(), CI_COMMIT_SHA: "gitlab" })).resolves.toBe("gitlab");
    await expect(gitCommit({ ...withoutCiVariables(), CIRCLE_SHA1: "circle", GIT_COMMIT: "jenkins" })).resolves.toBe("circle");
  });

  it("falls back to the checkout's HEAD, or null outside a git checkout, when no CI variable is set", async () => {
    const commit = await gitCommit({ ...withoutCiVariables(), GITHUB_SHA: "  " });
    expect(commit === null || /^[0-9a-f]{40}$/.test(commit)).toBe(true);
  });
});
