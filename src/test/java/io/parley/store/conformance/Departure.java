package io.parley.store.conformance;

/**
 * Known differences between a target and DynamoDB's documentation. Each names the documented
 * behaviour and where AWS documents it; the documentation wins, the suite names the difference.
 */
public enum Departure {
  /**
   * A second UpdateTimeToLive on a table within the hour is accepted. API reference, UpdateTimeToLive:
   * "Any additional UpdateTimeToLive calls for the same table during this one hour duration result in
   * a ValidationException."
   */
  REPEATED_TIME_TO_LIVE_UPDATE_ACCEPTED,
  /**
   * {@code SET l[10] = :v} on a shorter list pads it with NULLs up to index 10. Developer guide, "Using
   * update expressions", SET: "If the element doesn't already exist, SET appends the new element to
   * the end of the list."
   */
  LIST_SET_PAST_THE_END_PADS_WITH_NULLS,
  /**
   * A key condition {@code begins_with(sk, :v)} on a Number sort key is answered. API reference, Query,
   * KeyConditionExpression: begins_with "You cannot use this function with a sort key that is of type
   * Number."
   */
  BEGINS_WITH_ON_A_NUMBER_SORT_KEY_ACCEPTED,
  /**
   * A key condition comparing the partition or sort key with a value of another type (N for an S key)
   * matches nothing. Key values must have the key's type (AWS Knowledge Center, "provided key element does not
   * match the schema"); DynamoDB refuses such a Query with a ValidationException ("Condition parameter
   * type does not match schema type").
   */
  WRONG_KEY_TYPE_IN_A_KEY_CONDITION_MATCHES_NOTHING,
  /**
   * A key condition with an empty string as a key's value ({@code pk = :empty}, or
   * {@code begins_with(sk, :empty)}) is answered (nothing, or every item) instead of refused.
   * Developer guide, "Supported data types and naming rules", String: "The minimum length of a string
   * can be zero, if the attribute is not used as a key for an index or table"; DynamoDB answers such a
   * Query with a ValidationException ("The AttributeValue for a key attribute cannot contain an empty
   * string value").
   */
  EMPTY_KEY_VALUE_IN_A_KEY_CONDITION_ANSWERED,
  /**
   * {@code attribute_type(path, :t)} with {@code :t} not a type name evaluates to false. The developer
   * guide ("Condition and filter expressions", functions) names the only values {@code :t} may take
   * (S, SS, N, NS, B, BS, BOOL, NULL, L, M); a parameter out of its range is a ValidationException
   * (API reference, common errors), which DynamoDB answers ("Invalid attribute type name found").
   */
  UNKNOWN_ATTRIBUTE_TYPE_IS_A_FALSE_CONDITION,
  /**
   * {@code a IN (...)} with 101 values is evaluated. Developer guide, "Comparison operator and function
   * reference": "The list can contain up to 100 values, separated by commas."
   */
  IN_TAKES_MORE_THAN_100_VALUES,
  /**
   * An UpdateItem with ReturnValues ALL_OLD that creates the item answers the item's key as its old
   * attributes. API reference, UpdateItem, ReturnValues: "ALL_OLD - Returns all of the attributes of the
   * item, as they appeared before the UpdateItem operation"; an item that did not exist had none.
   */
  ALL_OLD_OF_AN_UPDATE_THAT_CREATES_THE_ITEM_IS_ITS_KEY,
  /**
   * A CreateTable whose indexes project more than 20 NonKeyAttributes in one index, more than 100 in
   * all, or one whose name is empty or longer than 255 characters, creates the table. API reference,
   * Projection, NonKeyAttributes: "Maximum number of 20 items", "the total count of NonKeyAttributes
   * summed across all of the secondary indexes, must not exceed 100", names of length 1 to 255.
   */
  PROJECTED_ATTRIBUTES_PAST_THE_LIMITS_ACCEPTED,
  /**
   * An attribute named "" or with a name of 64 KB is stored, and a key attribute named "" is created.
   * Developer guide, "Supported data types and naming rules": "Attribute names must be at least one
   * character long and less than 64 KB in size"; API reference, KeySchemaElement: AttributeName of
   * length 1 to 255.
   */
  ATTRIBUTE_NAMES_OF_NO_OR_64_KB_BYTES_ACCEPTED,
  /**
   * ADD of NS ["1.0", "3"] to a set holding 1 is refused ("Input collection contains duplicates"),
   * and DELETE of NS ["2.00"] leaves 2 in the set: set numbers are matched as text. Developer guide,
   * "Supported data types": a number's leading and trailing zeroes are trimmed, and each value
   * within a set must be unique, so 1.0 is the set's 1 and 2.00 its 2.
   */
  SET_NUMBERS_MATCHED_AS_TEXT,
  /**
   * A Query of a KEYS_ONLY local secondary index that names an unprojected attribute in its
   * ProjectionExpression answers without it. API reference, Query, Select: "If any of the requested
   * attributes are not projected into the local secondary index, DynamoDB fetches each of these
   * attributes from the parent table."
   */
  LOCAL_INDEX_LEAVES_OUT_UNPROJECTED_ATTRIBUTES,
  /**
   * {@code REMOVE l[1], l[2]} removes the elements at 1 and 3: each removal shifts the indexes the
   * next one names. Developer guide, "Using update expressions", REMOVE: "REMOVE RelatedItems[1],
   * RelatedItems[2]" removes the list's elements at 1 and 2.
   */
  REMOVED_LIST_ELEMENTS_SHIFT_THE_NEXT_INDEXES;
}
