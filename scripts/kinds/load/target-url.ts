/**
 * The target's URL as every file and message may show it (no user name, no password, no trailing
 * slash), and the credentials it carried as an Authorization header value, which travels out of band.
 */
export interface TargetUrl {
  baseUrl: string;
  /** "Basic <base64 of user:password>" when the URL carried credentials. */
  authorization: string | undefined;
}

export function hasUrlCredentials(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.username !== "" || parsed.password !== "";
  } catch {
    return false;
  }
}

export function splitTargetUrl(url: string): TargetUrl {
  const parsed = new URL(url);
  const credentials = parsed.username !== "" || parsed.password !== "" ? `${decodeURIComponent(parsed.username)}:${decodeURIComponent(parsed.password)}` : undefined;
  parsed.username = "";
  parsed.password = "";
  return {
    baseUrl: parsed.toString().replace(/\/$/, ""),
    authorization: credentials === undefined ? undefined : `Basic ${Buffer.from(credentials, "utf8").toString("base64")}`,
  };
}
