import { describe, expect, it } from "vitest";
import { accounts, metadata, resolveRelated } from "../../test/query-fixture.ts";
import { XrmError } from "../errors/xrm-error.ts";
import { evaluateQuery } from "./query-evaluate.ts";
import { parseQueryOptions } from "./query-options.ts";

const PARSER = "0x00000000"; // ODataParserError: what the server's OData parser answers
const NOT_SUPPORTED = "0x80040315";
const NOT_FOUND_SEGMENT = "0x80060888";
const INVALID_ARGUMENT = "0x80040203";
const INVALID_XML = "0x80040201";
const NO_ENTITY = "0x80041102";
const NO_ATTRIBUTE = "0x80041103";
const INVALID_VALUE = "0x80041108";
const INVALID_NODE = "0x8004111c";
const ATTRIBUTE_NOT_FOUND = "0x8004111e";
const INVALID_OPERATOR = "0x80041120";
const INVALID_FILTER_TYPE = "0x80041122";
const ENTITIES_DONT_MATCH = "0x80041128";

function errorOf(f: () => unknown): XrmError {
  try {
    f();
  } catch (e) {
    if (e instanceof XrmError) return e;
    throw new Error(`not an XrmError: ${String(e)}`);
  }
  throw new Error("no error thrown");
}

function parseError(options: string, entity = "account", target?: "record"): XrmError {
  return errorOf(() => parseQueryOptions(metadata, entity, options, target ? { target } : {}));
}

const fetch = (inner: string, attrs = "", entity = "account") =>
  `?fetchXml=<fetch${attrs}><entity name='${entity}'>${inner}</entity></fetch>`;

describe("bad OData options: exact error codes", () => {
  const table: [string, string, string][] = [
    ["unknown column in $select", PARSER, "$select=nme"],
    ["miscased column in $select", PARSER, "$select=Name"],
    ["unknown column in $filter", PARSER, "$filter=foo eq 1"],
    ["miscased column in $filter", PARSER, "$filter=Revenue gt 1"],
    ["miscased navigation in $expand", PARSER, "$expand=PrimaryContactId"],
    ["__proto__ in $select", PARSER, "$select=__proto__"],
    ["__proto__ in $filter", PARSER, "$filter=__proto__ eq 1"],
    ["constructor in $orderby", PARSER, "$orderby=constructor"],
    ["toString as a navigation", PARSER, "$filter=toString/name eq 'x'"],
    ["unknown column on the related table", PARSER, "$filter=primarycontactid/nosuch eq 'x'"],
    ["collection-valued $expand", NOT_SUPPORTED, "$expand=contact_customer_accounts"],
    ["nested $filter in $expand", NOT_SUPPORTED, "$expand=primarycontactid($filter=fullname eq 'x')"],
    ["nested $top in $expand", NOT_SUPPORTED, "$expand=primarycontactid($select=fullname;$top=1)"],
    [
      "nested $expand in $expand",
      NOT_SUPPORTED,
      "$expand=primarycontactid($expand=parentcustomerid_account)",
    ],
    ["unknown nested option", PARSER, "$expand=primarycontactid($foo=1)"],
    ["unknown column in nested $select", PARSER, "$expand=primarycontactid($select=name)"],
    ["unknown navigation in $expand", PARSER, "$expand=nosuchnav"],
    ["lookup attribute (not a navigation) in $expand", PARSER, "$expand=parentcustomerid"],
    ["unbalanced ( in $filter", PARSER, "$filter=(name eq 'a'"],
    ["unbalanced ) in $filter", PARSER, "$filter=name eq 'a')"],
    ["unbalanced ( in $expand", PARSER, "$expand=primarycontactid($select=fullname"],
    ["unterminated string", PARSER, "$filter=name eq 'abc"],
    ["impossible date", PARSER, "$filter=createdon gt 2024-13-45"],
    ["30 February", PARSER, "$filter=createdon eq 2024-02-30"],
    ["number glued to letters", PARSER, "$filter=revenue gt 12abc"],
    ["invalid character", PARSER, "$filter=name eq #"],
    ["text compared with a number column", PARSER, "$filter=revenue eq 'abc'"],
    ["text compared with a GUID column", PARSER, "$filter=accountid eq 'abc'"],
    ["number compared with a date column", PARSER, "$filter=createdon gt 5"],
    ["unknown function", PARSER, "$filter=tolower(name) eq 'a'"],
    ["OData v2 function", PARSER, "$filter=substringof('a',name)"],
    ["contains on a number column", PARSER, "$filter=contains(revenue,'1')"],
    ["contains with a column as second argument", PARSER, "$filter=contains(name,name)"],
    [
      "Dataverse query function",
      NOT_SUPPORTED,
      "$filter=Microsoft.Dynamics.CRM.In(PropertyName='name',PropertyValues=['a'])",
    ],
    ["not on a non-Boolean", PARSER, "$filter=not name eq 'x'"],
    ["missing right operand", PARSER, "$filter=name eq"],
    ["dangling and", PARSER, "$filter=name eq 'a' and"],
    ["two literals in a row", PARSER, "$filter=name eq 'a' 'b'"],
    ["comparison of two literals", PARSER, "$filter=1 eq 1"],
    ["non-Boolean filter", PARSER, "$filter=name"],
    ["uppercase keyword", PARSER, "$filter=name eq 'a' AND revenue gt 1"],
    ["empty $filter", PARSER, "$filter="],
    ["$skip", NOT_SUPPORTED, "$skip=10"],
    ["$apply (aggregation)", NOT_SUPPORTED, "$apply=groupby((name))"],
    ["$search", NOT_SUPPORTED, "$search=contoso"],
    ["negative $top", PARSER, "$top=-1"],
    ["non-numeric $top", PARSER, "$top=abc"],
    ["huge $top", PARSER, "$top=99999999999"],
    ["$top given twice", PARSER, "$top=1&$top=2"],
    ["bad $count", PARSER, "$count=yes"],
    ["unknown system option", PARSER, "$foo=1"],
    ["unknown custom option", PARSER, "foo=bar"],
    ["bad direction in $orderby", PARSER, "$orderby=name sideways"],
    ["related column in $orderby", NOT_SUPPORTED, "$orderby=primarycontactid/fullname"],
    ["related column in $select", NOT_SUPPORTED, "$select=primarycontactid/fullname"],
    ["binary column in $filter", NOT_SUPPORTED, "$filter=entityimage eq null"],
    ["deeper paths", NOT_SUPPORTED, "$filter=primarycontactid/parentcustomerid_account/name eq 'x'"],
    ["fetchXml with other options", PARSER, "$select=name&fetchXml=<fetch><entity name='account'/></fetch>"],
  ];
  it.each(table)("%s → %s", (_what, code, options) => {
    const e = parseError(options);
    expect(e.code).toBe(code);
    expect(e.errorCode).toBe(Number.parseInt(code, 16));
  });

  it("names the property and type like the server", () => {
    expect(parseError("$select=Name").message).toBe(
      "Could not find a property named 'Name' on type 'Microsoft.Dynamics.CRM.account'.",
    );
    expect(parseError("$filter=revenue eq 'abc'").message).toBe(
      "A binary operator with incompatible types was detected. Found operand types 'Edm.Decimal' and 'Edm.String' for operator kind 'Equal'.",
    );
  });

  it("points at the position of a syntax error", () => {
    expect(parseError("$filter=name eq 'a' and").message).toBe(
      "Syntax error: expression expected at position 15 in 'name eq 'a' and'.",
    );
    expect(parseError("$filter=(name eq 'a'").message).toBe(
      "Syntax error: ')' or an operator expected at position 12 in '(name eq 'a''.",
    );
    expect(parseError("$filter=name eq #").message).toBe(
      "Syntax error: character '#' is not valid at position 8 in 'name eq #'.",
    );
    expect(parseError("$filter=name eq 'abc").message).toBe(
      "Syntax error: unterminated string literal at position 8 in 'name eq 'abc'.",
    );
  });

  // How fast these are refused is measured by `pnpm bench query` ("hostile input"), not here.
  it("refuses huge and deeply nested input with a short message", () => {
    const long = parseError(`$filter=name eq '${"x".repeat(40_000)}'`);
    expect(long.code).toBe(PARSER);
    expect(long.message.length).toBeLessThan(200);
    const deep = parseError(`$filter=${"(".repeat(100)}name eq 'a'${")".repeat(100)}`);
    expect(deep.code).toBe(PARSER);
    expect(deep.message).toContain("nesting deeper than 64 levels");
    expect(parseError(`$filter=${"not ".repeat(100)}donotemail`).code).toBe(PARSER);
    const many = Array.from({ length: 2100 }, () => "donotemail").join(" or ");
    expect(parseError(`$filter=${many}`).message).toContain("more than 2000 conditions");
    // Quadratic-trim bait: a long run of spaces in $select / $orderby.
    expect(parseError(`$select=name,${" ".repeat(30_000)}x`).code).toBe(PARSER);
    expect(parseError(`$orderby=name ${" ".repeat(30_000)}sideways`).code).toBe(PARSER);
    // Many tiny pieces: option splitting must stay linear.
    expect(parseError("&a".repeat(16_000)).code).toBe(PARSER);
  });

  it("rejects an unknown table (0x80060888) and non-record options for retrieveRecord (0x0)", () => {
    expect(parseError("$select=name", "nosuchtable").code).toBe(NOT_FOUND_SEGMENT);
    expect(parseError("$select=name", "__proto__").code).toBe(NOT_FOUND_SEGMENT);
    for (const o of ["$filter=name eq 'a'", "$orderby=name", "$top=1", "$count=true"]) {
      expect(parseError(o, "account", "record").code).toBe(PARSER);
    }
  });

  it("rejects what needs evaluation-time inputs (InvalidArgument)", () => {
    const plan = parseQueryOptions(
      metadata,
      "account",
      fetch("<filter><condition attribute='ownerid' operator='eq-userid'/></filter>"),
    );
    expect(errorOf(() => evaluateQuery(plan, accounts, resolveRelated)).code).toBe(INVALID_ARGUMENT);
    const related = parseQueryOptions(metadata, "account", "$filter=primarycontactid/fullname eq 'x'");
    expect(errorOf(() => evaluateQuery(related, accounts, undefined)).code).toBe(INVALID_ARGUMENT);
  });
});

describe("bad FetchXML: exact error codes", () => {
  const table: [string, string, string][] = [
    ["malformed XML", INVALID_XML, "?fetchXml=<fetch><entity name='account'></fetch>"],
    ["not XML at all", INVALID_XML, "?fetchXml=hello"],
    [
      "DOCTYPE",
      INVALID_XML,
      `?fetchXml=<!DOCTYPE x [<!ENTITY a "aaaa">]><fetch><entity name='account'/></fetch>`,
    ],
    [
      "__proto__ XML attribute",
      INVALID_XML,
      "?fetchXml=<fetch __proto__='1'><entity name='account'/></fetch>",
    ],
    ["huge FetchXML (over the 32 KB options limit)", PARSER, fetch(`<attribute name='name'/>`.repeat(2000))],
    ["unknown attribute", NO_ATTRIBUTE, fetch("<attribute name='nme'/>")],
    ["miscased attribute", NO_ATTRIBUTE, fetch("<attribute name='Name'/>")],
    ["_x_value in FetchXML", NO_ATTRIBUTE, fetch("<attribute name='_primarycontactid_value'/>")],
    ["__proto__ as a column", NO_ATTRIBUTE, fetch("<attribute name='__proto__'/>")],
    [
      "unknown condition column",
      NO_ATTRIBUTE,
      fetch("<filter><condition attribute='x' operator='eq' value='1'/></filter>"),
    ],
    ["unknown order column", NO_ATTRIBUTE, fetch("<order attribute='x'/>")],
    [
      "like on a number",
      INVALID_OPERATOR,
      fetch("<filter><condition attribute='revenue' operator='like' value='1%'/></filter>"),
    ],
    [
      "gt on a Boolean",
      INVALID_OPERATOR,
      fetch("<filter><condition attribute='donotemail' operator='gt' value='0'/></filter>"),
    ],
    [
      "today on text",
      INVALID_OPERATOR,
      fetch("<filter><condition attribute='name' operator='today'/></filter>"),
    ],
    [
      "between (not offline)",
      INVALID_OPERATOR,
      fetch(
        "<filter><condition attribute='revenue' operator='between'><value>1</value><value>2</value></condition></filter>",
      ),
    ],
    [
      "gte is not a FetchXML operator",
      INVALID_OPERATOR,
      fetch("<filter><condition attribute='revenue' operator='gte' value='1'/></filter>"),
    ],
    [
      "unknown operator",
      INVALID_OPERATOR,
      fetch("<filter><condition attribute='name' operator='sounds-like' value='x'/></filter>"),
    ],
    [
      "filter type xor",
      INVALID_FILTER_TYPE,
      fetch("<filter type='xor'><condition attribute='name' operator='null'/></filter>"),
    ],
    ["entity of another table", ENTITIES_DONT_MATCH, fetch("", "", "contact")],
    ["unknown entity", NO_ENTITY, fetch("", "", "nosuchtable")],
    [
      "unknown link-entity table",
      NO_ENTITY,
      fetch("<link-entity name='nosuch' from='a' to='primarycontactid'/>"),
    ],
    [
      "bad GUID value",
      INVALID_VALUE,
      fetch("<filter><condition attribute='accountid' operator='eq' value='not-a-guid'/></filter>"),
    ],
    [
      "bad number value",
      INVALID_VALUE,
      fetch("<filter><condition attribute='numberofemployees' operator='eq' value='1.5'/></filter>"),
    ],
    [
      "bad date value",
      INVALID_VALUE,
      fetch("<filter><condition attribute='createdon' operator='on' value='yesterday'/></filter>"),
    ],
    [
      "bad Boolean value",
      INVALID_VALUE,
      fetch("<filter><condition attribute='donotemail' operator='eq' value='yes'/></filter>"),
    ],
    ["missing value", INVALID_VALUE, fetch("<filter><condition attribute='name' operator='eq'/></filter>")],
    [
      "in without values",
      INVALID_VALUE,
      fetch("<filter><condition attribute='name' operator='in'/></filter>"),
    ],
    ["bad descending", INVALID_VALUE, fetch("<order attribute='name' descending='maybe'/>")],
    ["top 0", INVALID_VALUE, fetch("", " top='0'")],
    ["top and page together", INVALID_VALUE, fetch("", " top='5' page='2'")],
    [
      "entityname that is no alias",
      INVALID_VALUE,
      fetch("<filter><condition entityname='zz' attribute='name' operator='null'/></filter>"),
    ],
    ["unknown element", INVALID_NODE, fetch("<foo/>")],
    ["unknown element in a filter", INVALID_NODE, fetch("<filter><attribute name='name'/></filter>")],
    ["root is not fetch", INVALID_NODE, "?fetchXml=<query><entity name='account'/></query>"],
    [
      "condition without attribute",
      ATTRIBUTE_NOT_FOUND,
      fetch("<filter><condition operator='null'/></filter>"),
    ],
    ["attribute without name", ATTRIBUTE_NOT_FOUND, fetch("<attribute/>")],
    [
      "aggregate",
      NOT_SUPPORTED,
      fetch("<attribute name='revenue' aggregate='sum' alias='s'/>", " aggregate='true'"),
    ],
    ["paging cookie", NOT_SUPPORTED, fetch("", " paging-cookie='&lt;cookie/&gt;' page='2' count='5'")],
    [
      "link-entity along no relationship",
      NOT_SUPPORTED,
      fetch("<link-entity name='contact' from='parentcustomerid' to='primarycontactid'/>"),
    ],
    [
      "order inside a one-to-many link-entity",
      NOT_SUPPORTED,
      fetch(
        "<link-entity name='contact' from='parentcustomerid' to='accountid'><order attribute='fullname'/></link-entity>",
      ),
    ],
    [
      "nested link-entity",
      NOT_SUPPORTED,
      fetch(
        "<link-entity name='contact' from='contactid' to='primarycontactid'><link-entity name='account' from='accountid' to='parentcustomerid'/></link-entity>",
      ),
    ],
    [
      "link-type exists",
      NOT_SUPPORTED,
      fetch("<link-entity name='contact' from='contactid' to='primarycontactid' link-type='exists'/>"),
    ],
  ];
  it.each(table)("%s → %s", (_what, code, options) => {
    const e = parseError(options);
    expect(e.code).toBe(code);
    expect(e.errorCode).toBe(Number.parseInt(code, 16));
  });

  it("names the attribute like the server's QueryBuilderNoAttribute", () => {
    expect(parseError(fetch("<attribute name='Name'/>")).message).toBe(
      "'account' entity doesn't contain attribute with Name = 'Name' and NameMapping = 'Logical'.",
    );
  });
});
