import type { Metadata } from "@xrm-offline/metadata";
import { bundledMetadata } from "@xrm-offline/metadata/bundled";
import type { ResolveRelated, Row } from "../src/query/filter-compile.ts";
import type { ResolveChildren } from "../src/query/query-joined-row.ts";

/**
 * Test data for the query tests and bench: 12 accounts and 8 contacts shaped as the Web API
 * returns them (lookups as `_x_value` with their annotations, `@odata.etag`). Ids are short:
 * `a01`…`a12` and `c01`…`c08` stand for the GUIDs below. Kept under `test/`, outside `src/`: it is
 * not part of the package's source or its build.
 */

export const metadata: Metadata = bundledMetadata();

export function accountId(n: number): string {
  return `aaaaaaaa-0000-4000-8000-0000000000${String(n).padStart(2, "0")}`;
}
export function contactId(n: number): string {
  return `cccccccc-0000-4000-8000-0000000000${String(n).padStart(2, "0")}`;
}

/** `aaaaaaaa-…-000000000003` → "a03". */
export function shortId(id: unknown): string {
  const s = String(id);
  return `${s[0]}${s.slice(-2)}`;
}

const LN = "@Microsoft.Dynamics.CRM.lookuplogicalname";
const FV = "@OData.Community.Display.V1.FormattedValue";

function contactLookup(n: number | null, name: string | null): Record<string, unknown> {
  if (n === null) return { _primarycontactid_value: null };
  return {
    _primarycontactid_value: contactId(n),
    [`_primarycontactid_value${LN}`]: "contact",
    [`_primarycontactid_value${FV}`]: name,
  };
}

type A = [
  n: number,
  name: string,
  revenue: number | null,
  employees: number | null,
  city: string | null,
  createdon: string,
  donotemail: boolean | null,
  contact: number | null,
];

const ACCOUNT_DATA: A[] = [
  [1, "Contoso Ltd", 500000, 120, "Seattle", "2024-01-10T09:00:00Z", false, 1],
  [2, "Fabrikam Inc", 250000, 40, "Redmond", "2024-02-15T12:00:00Z", true, 2],
  [3, "Adventure Works", 1200000, 800, "Seattle", "2023-11-01T08:30:00Z", false, 3],
  [4, "Café Olé", 75000, 5, "Paris", "2024-03-01T00:00:00Z", false, null],
  [5, "sample account one", 100000, 10, "Seattle", "2024-03-01T23:59:59Z", null, 1],
  [6, "Sample Account Two", 100000, 12, null, "2024-03-02T10:00:00+02:00", false, 4],
  [7, "Northwind Traders", null, null, "London", "2022-06-30T10:00:00Z", true, null],
  [8, "O'Reilly Media", 300000, 60, "Sebastopol", "2024-05-20T14:00:00Z", false, 5],
  [9, "Blue Yonder Airlines", 2000000.5, 1500, "Seattle", "2024-06-01T06:00:00Z", false, 6],
  [10, "alpine ski house", 45000.75, 25, "Denver", "2024-06-02T06:00:00Z", true, 7],
  [11, "Tailspin Toys", 100000, 30, "Redmond", "2024-06-03T06:00:00Z", false, null],
  [12, "Wide World Importers", 850000, 200, null, "2024-06-04T06:00:00Z", false, 8],
];

export const CONTACT_NAMES = [
  "Yvonne McKay",
  "Susanna Stubberod",
  "Nancy Anderson",
  "Maria Campbell",
  "Sidney Higa",
  "Scott Konersmann",
  "Robert Lyon",
  "Paul Cannon",
] as const;

export const accounts: Row[] = ACCOUNT_DATA.map(([n, name, revenue, employees, city, createdon, dne, c]) => ({
  "@odata.etag": `W/"${1000 + n}"`,
  accountid: accountId(n),
  name,
  revenue,
  ...(revenue === null ? {} : { [`revenue${FV}`]: `$${revenue.toLocaleString("en-US")}` }),
  numberofemployees: employees,
  address1_city: city,
  createdon,
  donotemail: dne,
  statecode: n === 7 ? 1 : 0,
  [`statecode${FV}`]: n === 7 ? "Inactive" : "Active",
  ...contactLookup(c, c === null ? null : CONTACT_NAMES[c - 1]!),
  _parentaccountid_value: n === 5 || n === 6 ? accountId(1) : null,
  ...(n === 5 || n === 6 ? { [`_parentaccountid_value${LN}`]: "account" } : {}),
}));

export const contacts: Row[] = CONTACT_NAMES.map((fullname, i) => {
  const n = i + 1;
  const [firstname, lastname] = fullname.split(" ");
  // c01-c05 belong to an account, c06 to contact c01, c07-c08 to none.
  const parent =
    n <= 5 ? { id: accountId(n), ln: "account" } : n === 6 ? { id: contactId(1), ln: "contact" } : null;
  return {
    "@odata.etag": `W/"${2000 + n}"`,
    contactid: contactId(n),
    fullname,
    firstname,
    lastname,
    emailaddress1: n === 8 ? null : `${firstname!.toLowerCase()}@example.com`,
    birthdate: n % 2 === 0 ? `198${n}-0${n}-1${n}` : null,
    _parentcustomerid_value: parent?.id ?? null,
    ...(parent ? { [`_parentcustomerid_value${LN}`]: parent.ln, [`_parentcustomerid_value${FV}`]: "x" } : {}),
  };
});

const byKey = new Map<string, Row>();
for (const a of accounts) byKey.set(`account:${a.accountid}`, a);
for (const c of contacts) byKey.set(`contact:${c.contactid}`, c);

export const resolveRelated: ResolveRelated = (entity, id) => byKey.get(`${entity}:${id}`);

/** Children for FetchXML one-to-many link-entities: rows of the child table whose lookup holds the parent. */
export const resolveChildren: ResolveChildren = (join, parentId) =>
  (join.entity === "account" ? accounts : join.entity === "contact" ? contacts : []).filter(
    (r) => r[join.lookupProperty] === parentId,
  );
