/** What a picker's list held after a search, for the line under it. */
export interface PickerResult {
  /** The picker's label ("Customer", "Contact"). */
  readonly label: string;
  /** The typed text searched for ("" for the first records). */
  readonly text: string;
  readonly shown: number;
  /** Whether a Show more… option follows. */
  readonly more: boolean;
  /** The search itself failed (the store refused or broke): nothing is known about matches. */
  readonly failed: boolean;
}

/**
 * The line under a picker's list (read out by screen readers): what the list shows and what to
 * do next. A failed search says so; it never claims that nothing matches.
 */
export function pickerHint(r: PickerResult): string {
  const name = r.label.toLowerCase();
  if (r.failed && r.shown > 0) return "Couldn't read more on this device. Choose Show more to try again.";
  if (r.failed)
    return r.text
      ? `The search for "${r.text}" failed on this device. Type again to retry.`
      : `The ${name} list couldn't be read on this device. Type to retry.`;
  if (r.shown === 0) return r.text ? `No ${name} starts with "${r.text}".` : `No ${name} on this device yet.`;
  if (r.more)
    return r.text
      ? `Showing ${r.shown} by name: type more to narrow, or choose Show more.`
      : `Showing ${r.shown} by name: type a name to search them all, or choose Show more.`;
  return `${r.shown} ${r.shown === 1 ? "match" : "matches"}.`;
}
