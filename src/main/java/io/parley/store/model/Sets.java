package io.parley.store.model;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** Set values from a request's lists, refused as DynamoDB refuses them: empty, or with duplicates. */
public final class Sets {
  private Sets() {}

  public static AttributeValue.SS ss(List<String> values) {
    return new AttributeValue.SS(distinct(values, "string"));
  }

  public static AttributeValue.NS ns(List<String> values) {
    List<String> canonical = values.stream().map(Numbers::canonical).toList();
    return new AttributeValue.NS(distinct(canonical, "number"));
  }

  public static AttributeValue.BS bs(List<Bytes> values) {
    return new AttributeValue.BS(distinct(values, "binary"));
  }

  private static <T> Set<T> distinct(List<T> values, String kind) {
    if (values.isEmpty()) {
      throw StoreException.validation("One or more parameter values were invalid: An " + kind + " set  may not be empty");
    }
    Set<T> set = new LinkedHashSet<>(values);
    if (set.size() != values.size()) {
      throw StoreException.validation("One or more parameter values were invalid: Input collection " + values + " contains duplicates.");
    }
    return set;
  }
}
