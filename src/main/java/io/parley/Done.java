package io.parley;

import io.parley.cluster.JsonSerializable;

/** The value of a successful request that has nothing else to say. */
public record Done() implements JsonSerializable {
  public static final Done INSTANCE = new Done();
}
