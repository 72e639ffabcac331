/**
 * The QueryBuilder* errors: what the server answers for a FetchXML (or QueryExpression) it can't
 * run. Names and codes from the Dataverse SDK's error code constants; messages are ours. All 400,
 * none retryable: the same query fails the same way again.
 */
export const QUERY_BUILDER_ERRORS = {
  /**
   * More than 500 conditions (and, in FetchXML, link-entity elements) in one query — the limit
   * the "Filter rows" pages of the Web API and FetchXML docs state. Use `in` for a list of values.
   */
  TooManyConditionsInQuery: {
    code: "0x8004430c",
    httpStatus: 400,
    message: "Number of conditions in query exceeded maximum limit.",
    retryable: false,
  },
  QueryBuilderUnexpected: {
    code: "0x80041101",
    httpStatus: 400,
    message: "An unexpected error occurred while building the query.",
    retryable: false,
  },
  QueryBuilderNoEntity: {
    code: "0x80041102",
    httpStatus: 400,
    message: "The entity in the query does not exist.",
    retryable: false,
  },
  QueryBuilderNoAttribute: {
    code: "0x80041103",
    httpStatus: 400,
    message: "The attribute in the query does not exist on this entity.",
    retryable: false,
  },
  QueryBuilderBad_Condition: {
    code: "0x80041106",
    httpStatus: 400,
    message: "A condition in the query is not valid.",
    retryable: false,
  },
  QueryBuilderAttribute_With_Aggregate: {
    code: "0x80041107",
    httpStatus: 400,
    message: "An attribute cannot be used with this aggregate.",
    retryable: false,
  },
  QueryBuilderInvalid_Value: {
    code: "0x80041108",
    httpStatus: 400,
    message: "A value in the query is not valid for its attribute.",
    retryable: false,
  },
  QueryBuilderInvalid_Alias: {
    code: "0x80041109",
    httpStatus: 400,
    message: "An alias in the query is not valid.",
    retryable: false,
  },
  QueryBuilderAlias_Does_Not_Exist: {
    code: "0x8004110a",
    httpStatus: 400,
    message: "An alias used in the query does not exist.",
    retryable: false,
  },
  QueryBuilderNoAlias: {
    code: "0x8004110b",
    httpStatus: 400,
    message: "An aggregate attribute needs an alias.",
    retryable: false,
  },
  QueryBuilderValue_GreaterThanZero: {
    code: "0x8004110c",
    httpStatus: 400,
    message: "The value must be greater than zero.",
    retryable: false,
  },
  QueryBuilderDeserializeInvalidDistinct: {
    code: "0x80041115",
    httpStatus: 400,
    message: "The distinct value in the FetchXML is not valid.",
    retryable: false,
  },
  QueryBuilderDeserializeInvalidMapping: {
    code: "0x80041116",
    httpStatus: 400,
    message: "The mapping value in the FetchXML is not valid.",
    retryable: false,
  },
  QueryBuilderDeserializeInvalidLinkType: {
    code: "0x80041117",
    httpStatus: 400,
    message: "The link-type in the FetchXML is not valid.",
    retryable: false,
  },
  QueryBuilderDeserializeLinkAttributes: {
    code: "0x80041118",
    httpStatus: 400,
    message: "A link-entity in the FetchXML misses its from or to attribute.",
    retryable: false,
  },
  QueryBuilderDeserializeInvalidDescending: {
    code: "0x80041119",
    httpStatus: 400,
    message: "The descending value in the FetchXML is not valid.",
    retryable: false,
  },
  QueryBuilderDeserializeInvalidAggregate: {
    code: "0x8004111a",
    httpStatus: 400,
    message: "The aggregate value in the FetchXML is not valid.",
    retryable: false,
  },
  QueryBuilderDeserializeInvalidAlias: {
    code: "0x8004111b",
    httpStatus: 400,
    message: "An alias in the FetchXML is not valid.",
    retryable: false,
  },
  QueryBuilderDeserializeInvalidNode: {
    code: "0x8004111c",
    httpStatus: 400,
    message: "The FetchXML contains a node that is not valid here.",
    retryable: false,
  },
  QueryBuilderDeserializeInvalidUtcOffset: {
    code: "0x8004111d",
    httpStatus: 400,
    message: "The UTC offset in the FetchXML is not valid.",
    retryable: false,
  },
  QueryBuilderAttributeNotFound: {
    code: "0x8004111e",
    httpStatus: 400,
    message: "An attribute used in the query was not found.",
    retryable: false,
  },
  QueryBuilderInvalidOrderType: {
    code: "0x8004111f",
    httpStatus: 400,
    message: "The order type in the query is not valid.",
    retryable: false,
  },
  QueryBuilderInvalidConditionOperator: {
    code: "0x80041120",
    httpStatus: 400,
    message: "The condition operator in the query is not valid.",
    retryable: false,
  },
  QueryBuilderInvalidJoinOperator: {
    code: "0x80041121",
    httpStatus: 400,
    message: "The join operator in the query is not valid.",
    retryable: false,
  },
  QueryBuilderInvalidFilterType: {
    code: "0x80041122",
    httpStatus: 400,
    message: "The filter type in the query is not valid.",
    retryable: false,
  },
  QueryBuilderElementNotFound: {
    code: "0x80041123",
    httpStatus: 400,
    message: "An element the query needs was not found.",
    retryable: false,
  },
  QueryBuilderDeserializeEmptyXml: {
    code: "0x80041124",
    httpStatus: 400,
    message: "The FetchXML is empty.",
    retryable: false,
  },
  QueryBuilderDeserializeNoDocElemXml: {
    code: "0x80041125",
    httpStatus: 400,
    message: "The FetchXML has no document element.",
    retryable: false,
  },
  QueryBuilderLinkNodeForOrderNotFound: {
    code: "0x80041126",
    httpStatus: 400,
    message: "The link-entity an order refers to was not found.",
    retryable: false,
  },
  QueryBuilderTopCountGreaterThanZero: {
    code: "0x80041127",
    httpStatus: 400,
    message: "The top count must be greater than zero.",
    retryable: false,
  },
  QueryBuilderEntitiesDontMatch: {
    code: "0x80041128",
    httpStatus: 400,
    message: "The entities in the query don't match.",
    retryable: false,
  },
} as const;
