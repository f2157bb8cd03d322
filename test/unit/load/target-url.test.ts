import { describe, expect, it } from "vitest";
import { hasUrlCredentials, splitTargetUrl } from "../../../scripts/kinds/load/target-url.ts";

const basic = (credentials: string) => `Basic ${Buffer.from(credentials).toString("base64")}`;

describe("splitTargetUrl", () => {
  it("moves URL credentials (percent-decoded) into a Basic Authorization value", () => {
    expect(splitTargetUrl("https://ci%40shop:p%40ss%3Aw0rd@staging.example:8443/base/")).toEqual({
      baseUrl: "https://staging.example:8443/base",
      authorization: basic("ci@shop:p@ss:w0rd"),
    });
  });

  it("leaves a URL without credentials as it is, without a trailing slash", () => {
    expect(splitTargetUrl("http://127.0.0.1:8080/")).toEqual({ baseUrl: "http://127.0.0.1:8080", authorization: undefined });
  });

  it("takes a user name alone as a user with an empty password", () => {
    expect(splitTargetUrl("http://token@127.0.0.1:8080")).toEqual({ baseUrl: "http://127.0.0.1:8080", authorization: basic("token:") });
  });

  it("tells whether a URL carries credentials, and never throws on a string that is not one", () => {
    expect([hasUrlCredentials("http://u:p@h"), hasUrlCredentials("http://h"), hasUrlCredentials("not a url")]).toEqual([true, false, false]);
  });
});
