package io.parley.store.conformance;

import com.amazonaws.services.dynamodbv2.AmazonDynamoDB;
import io.parley.testing.Dynoxide;
import java.util.EnumSet;
import java.util.Set;

/** dynoxide 1.2.1 in memory, over HTTP. */
final class DynoxideTarget implements Target {
  private final Dynoxide dynoxide;
  private final AmazonDynamoDB client;

  private DynoxideTarget(Dynoxide dynoxide) {
    this.dynoxide = dynoxide;
    this.client = SdkClients.local(dynoxide.endpoint());
  }

  static Target start() {
    return new DynoxideTarget(Dynoxide.start());
  }

  @Override
  public String name() {
    return "dynoxide";
  }

  @Override
  public AmazonDynamoDB client() {
    return client;
  }

  @Override
  public Set<Departure> departures() {
    return EnumSet.of(Departure.REPEATED_TIME_TO_LIVE_UPDATE_ACCEPTED,
        Departure.LIST_SET_PAST_THE_END_PADS_WITH_NULLS, Departure.BEGINS_WITH_ON_A_NUMBER_SORT_KEY_ACCEPTED,
        Departure.WRONG_KEY_TYPE_IN_A_KEY_CONDITION_MATCHES_NOTHING,
        Departure.EMPTY_KEY_VALUE_IN_A_KEY_CONDITION_ANSWERED, Departure.UNKNOWN_ATTRIBUTE_TYPE_IS_A_FALSE_CONDITION,
        Departure.IN_TAKES_MORE_THAN_100_VALUES, Departure.ALL_OLD_OF_AN_UPDATE_THAT_CREATES_THE_ITEM_IS_ITS_KEY,
        Departure.PROJECTED_ATTRIBUTES_PAST_THE_LIMITS_ACCEPTED, Departure.ATTRIBUTE_NAMES_OF_NO_OR_64_KB_BYTES_ACCEPTED,
        Departure.SET_NUMBERS_MATCHED_AS_TEXT, Departure.LOCAL_INDEX_LEAVES_OUT_UNPROJECTED_ATTRIBUTES,
        Departure.REMOVED_LIST_ELEMENTS_SHIFT_THE_NEXT_INDEXES);
  }

  @Override
  public void close() {
    client.shutdown();
    dynoxide.close();
  }
}
