/**
 * The OData preferences of a `Prefer` header (several headers, comma- or semicolon-separated
 * values: Microsoft's sample client writes `odata.maxpagesize=4; odata.include-annotations="*"`,
 * and Dataverse honours both preferences).
 */
export interface Preferences {
  readonly returnRepresentation: boolean;
  readonly maxPageSize?: number;
  readonly trackChanges: boolean;
  readonly continueOnError: boolean;
  /** `odata.include-annotations` patterns: `*`, `OData.Community.Display.V1.FormattedValue`, `Microsoft.Dynamics.CRM.*`… */
  readonly includeAnnotations: readonly string[];
}

function splitPreferences(header: string): string[] {
  // Split on commas and semicolons outside double quotes: include-annotations="a,b" stays one.
  const out: string[] = [];
  let current = "";
  let quoted = false;
  for (const ch of header) {
    if (ch === '"') quoted = !quoted;
    if ((ch === "," || ch === ";") && !quoted) {
      out.push(current);
      current = "";
    } else current += ch;
  }
  out.push(current);
  return out.map((s) => s.trim()).filter((s) => s.length > 0);
}

export function parsePrefer(header: string | undefined): Preferences {
  let returnRepresentation = false;
  let maxPageSize: number | undefined;
  let trackChanges = false;
  let continueOnError = false;
  const includeAnnotations: string[] = [];
  for (const pref of splitPreferences(header ?? "")) {
    const eq = pref.indexOf("=");
    const name = (eq < 0 ? pref : pref.slice(0, eq)).trim().toLowerCase();
    const value =
      eq < 0
        ? ""
        : pref
            .slice(eq + 1)
            .trim()
            .replace(/^"|"$/g, "");
    if (name === "return" && value === "representation") returnRepresentation = true;
    else if (name === "odata.maxpagesize") {
      const n = Number(value);
      if (Number.isInteger(n) && n > 0) maxPageSize = Math.min(n, 5000);
    } else if (name === "odata.track-changes") trackChanges = true;
    else if (name === "odata.continue-on-error") continueOnError = value !== "false";
    else if (name === "odata.include-annotations") {
      for (const p of value.split(",")) if (p.trim()) includeAnnotations.push(p.trim());
    }
  }
  return {
    returnRepresentation,
    ...(maxPageSize !== undefined ? { maxPageSize } : {}),
    trackChanges,
    continueOnError,
    includeAnnotations,
  };
}

/** Whether annotation `term` (e.g. `OData.Community.Display.V1.FormattedValue`) was asked for. */
export function wantsAnnotation(prefs: Preferences, term: string): boolean {
  return prefs.includeAnnotations.some((p) => {
    if (p.startsWith("-")) return false;
    if (p === "*") return true;
    if (p.endsWith("*")) return term.startsWith(p.slice(0, -1));
    return p === term;
  });
}
