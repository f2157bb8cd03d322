import { describe, expect, it } from "vitest";
import { parseDeb822Sources, parseOneLineSources, primaryMirror, sourcesForSuite, toOneLineSources } from "../../../scripts/local/containers/apt-sources.ts";

describe("apt sources", () => {
  it("reads one-line sources, skipping comments, deb-src and options", () => {
    const sources = parseOneLineSources(
      ["# comment", "deb [arch=amd64 signed-by=/k.gpg] http://mirror.example/debian bookworm main contrib", "deb-src http://mirror.example/debian bookworm main", "deb http://security.example/debian-security bookworm-security main # trailing"].join("\n"),
    );
    expect(sources).toEqual([
      { types: ["deb"], uris: ["http://mirror.example/debian"], suites: ["bookworm"], components: ["main", "contrib"] },
      { types: ["deb"], uris: ["http://security.example/debian-security"], suites: ["bookworm-security"], components: ["main"] },
    ]);
  });

  it("reads deb822 stanzas, skipping disabled ones and comment lines", () => {
    const sources = parseDeb822Sources(
      [
        "Types: deb deb-src",
        "# http://snapshot.example/archive",
        "URIs: http://mirror.example/debian",
        "Suites: bookworm bookworm-updates",
        "Components: main",
        "",
        "Types: deb",
        "URIs: http://other.example/debian",
        "Suites: bookworm",
        "Components: main",
        "Enabled: no",
        "",
        "Types: deb",
        "URIs: http://security.example/debian-security",
        "Suites: bookworm-security",
        "Components: main",
      ].join("\n"),
    );
    expect(sources.map((source) => [source.uris[0], source.suites])).toEqual([
      ["http://mirror.example/debian", ["bookworm", "bookworm-updates"]],
      ["http://security.example/debian-security", ["bookworm-security"]],
    ]);
  });

  it("picks the mirror carrying the suite and writes the suite's sources for the image", () => {
    const sources = [
      { types: ["deb"], uris: ["https://vendor.example/apt"], suites: ["cloud-sdk-bookworm"], components: ["main"] },
      ...parseOneLineSources("deb http://security.example/debian-security bookworm-security main\ndeb http://mirror.example/debian bookworm main\ndeb http://mirror.example/debian bookworm-updates main"),
    ];
    expect(primaryMirror(sources, "bookworm")).toBe("http://mirror.example/debian");
    expect(toOneLineSources(sourcesForSuite(sources, "bookworm"))).toBe(
      "deb http://security.example/debian-security bookworm-security main\ndeb http://mirror.example/debian bookworm main\ndeb http://mirror.example/debian bookworm-updates main\n",
    );
  });
});
