/** `primarycontactid` → `_primarycontactid_value`, the property the Web API returns for a lookup. */
export function lookupValueProperty(lookupAttribute: string): string {
  return `_${lookupAttribute}_value`;
}

/** `_primarycontactid_value` → `primarycontactid`; undefined for any other property name. */
export function lookupAttributeOf(valueProperty: string): string | undefined {
  const m = /^_(.+)_value$/.exec(valueProperty);
  return m ? m[1] : undefined;
}
