package io.parley.cluster;


/** The value of a successful request that has nothing else to say. */
public record Done() implements JsonSerializable {
  public static final Done INSTANCE = new Done();
}
