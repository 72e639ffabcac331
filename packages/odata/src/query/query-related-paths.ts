import type { FilterNode, QueryPlan, RelatedPath } from "./query-plan.ts";

/**
 * Every lookup a plan follows to another row — `$expand`, link-entities, and filter paths like
 * `primarycontactid/fullname` — so an async store can load those related rows before calling the
 * synchronous `evaluateQuery` (resolveRelated). Deduplicated by lookup property and target set.
 */
export function relatedPathsOf(plan: QueryPlan): RelatedPath[] {
  const out = new Map<string, RelatedPath>();
  const add = (p: RelatedPath) => {
    const key = `${p.lookupProperty}|${p.targets.join(",")}`;
    if (!out.has(key)) {
      out.set(key, {
        navigation: p.navigation,
        lookupProperty: p.lookupProperty,
        targetEntity: p.targetEntity,
        targets: p.targets,
      });
    }
  };
  const walk = (node: FilterNode | undefined) => {
    if (!node) return;
    switch (node.kind) {
      case "and":
      case "or":
        node.children.forEach(walk);
        return;
      case "not":
        walk(node.operand);
        return;
      case "compare":
        if (node.column.via) add(node.column.via);
        if (node.value.type === "column" && node.value.column.via) add(node.value.column.via);
        return;
      default:
        if (node.column.via) add(node.column.via);
    }
  };
  walk(plan.filter);
  for (const e of plan.expand) add(e);
  return [...out.values()];
}
