import type { EntityMetadata } from "@xrm-offline/metadata";
import type { ServerContext } from "../context.ts";
import { optionLabel } from "./column-facts.ts";

/** The organisation's base currency symbol when a row names no currency (a new org's USD). */
const BASE_CURRENCY_SYMBOL = "$";

const dateTime = new Intl.DateTimeFormat("en-US", {
  year: "numeric",
  month: "numeric",
  day: "numeric",
  hour: "numeric",
  minute: "2-digit",
  timeZone: "UTC",
});
const dateOnly = new Intl.DateTimeFormat("en-US", {
  year: "numeric",
  month: "numeric",
  day: "numeric",
  timeZone: "UTC",
});

/** A money column: Dataverse pairs each with a `<name>_base` column in the base currency. */
export function isMoneyColumn(entity: EntityMetadata, name: string): boolean {
  return !name.endsWith("_base") && entity.attribute(`${name}_base`) !== undefined;
}

function currencySymbol(ctx: ServerContext, row: Readonly<Record<string, unknown>> | undefined): string {
  const currencyId = row?._transactioncurrencyid_value;
  if (typeof currencyId !== "string") return BASE_CURRENCY_SYMBOL;
  const symbol = ctx.store.get("transactioncurrency", currencyId)?.data.currencysymbol;
  return typeof symbol === "string" && symbol !== "" ? symbol : BASE_CURRENCY_SYMBOL;
}

/**
 * `@OData.Community.Display.V1.FormattedValue` of a non-lookup column, as an en-US user with UTC as
 * time zone sees it: choice labels (curated, see column-facts.ts), Yes/No, money with the currency
 * symbol (`$1,000.00`), numbers with group separators, dates as `5/1/2024 8:30 AM`.
 * Undefined when there is nothing to show (no curated label, a GUID, a string).
 */
export function formattedValue(
  ctx: ServerContext,
  entity: EntityMetadata,
  name: string,
  value: unknown,
  row?: Readonly<Record<string, unknown>>,
): string | undefined {
  const attr = entity.attribute(name);
  if (!attr || value === null || value === undefined) return undefined;
  if (typeof value === "boolean") return value ? "Yes" : "No";
  if (typeof value === "number") {
    const label = optionLabel(entity.logicalName, name, value);
    if (label !== undefined) return label;
    if (isMoneyColumn(entity, name) || (name.endsWith("_base") && isMoneyColumn(entity, name.slice(0, -5)))) {
      const n = value.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
      const symbol = currencySymbol(ctx, row);
      return value < 0 ? `-${symbol}${n.slice(1)}` : `${symbol}${n}`;
    }
    if (attr.type === "Edm.Decimal" || attr.type === "Edm.Double" || attr.type === "Edm.Single")
      return value.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
    return value.toLocaleString("en-US");
  }
  if (typeof value === "string" && attr.type === "Edm.DateTimeOffset") {
    const ms = Date.parse(value);
    return Number.isFinite(ms) ? dateTime.format(ms).replace(",", "").replace(/\s/g, " ") : undefined;
  }
  if (typeof value === "string" && attr.type === "Edm.Date") {
    const ms = Date.parse(`${value}T00:00:00Z`);
    return Number.isFinite(ms) ? dateOnly.format(ms) : undefined;
  }
  return undefined;
}
