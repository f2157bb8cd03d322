import http from "k6/http";
import { check } from "k6";

export interface Item {
  id: number;
}

/** Fetches the item list and checks the answer. */
export function listItems(baseUrl: string): Item[] {
  const response = http.get(`${baseUrl}/items`, { tags: { endpoint: "list-items" } });
  check(response, { "list answers 200": (r) => r.status === 200 }, { endpoint: "list-items" });
  return (response.json("items") as Item[] | undefined) ?? [];
}

export function explode(reason: string): never {
  const detail: string = `exploded: ${reason}`;
  throw new Error(detail);
}
