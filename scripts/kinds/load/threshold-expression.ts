/** A parsed k6 threshold expression such as `p(95)<200` or `rate<0.001`. */
export interface ThresholdExpressionParts {
  statistic: string;
  operator: "<" | "<=" | ">" | ">=" | "==" | "!=";
  limit: number;
}

const expressionPattern = /^\s*(avg|min|med|max|count|rate|value|p\(\d+(?:\.\d+)?\))\s*(<=|>=|<|>|===|==|!=)\s*(-?\d+(?:\.\d+)?(?:e-?\d+)?)\s*$/;

export function parseThresholdExpression(expression: string): ThresholdExpressionParts | null {
  const match = expressionPattern.exec(expression);
  if (!match) return null;
  const operator = (match[2] === "===" ? "==" : match[2]) as ThresholdExpressionParts["operator"];
  return { statistic: match[1] ?? "", operator, limit: Number(match[3]) };
}

/** `http_req_duration{endpoint:list-items}` -> { metric: "http_req_duration", tags: { endpoint: "list-items" } } */
export function parseMetricSelector(selector: string): { metric: string; tags: Record<string, string> } {
  const open = selector.indexOf("{");
  if (open < 0) return { metric: selector, tags: {} };
  const tags: Record<string, string> = {};
  for (const pair of selector.slice(open + 1, -1).split(",")) {
    const [key, ...rest] = pair.split(":");
    if (key) tags[key.trim()] = rest.join(":").trim();
  }
  return { metric: selector.slice(0, open), tags };
}
