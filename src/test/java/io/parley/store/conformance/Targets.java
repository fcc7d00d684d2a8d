package io.parley.store.conformance;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/** The DynamoDB implementations the suite and the differential test run against. */
final class Targets {
  /** A target by name, started only when a test first needs it. */
  record Kind(String name, Supplier<Target> start) {}

  static final Kind DYNOXIDE = new Kind("dynoxide", DynoxideTarget::start);
  static final Kind EMBEDDED_IN_PROCESS = new Kind("embedded-in-process", EmbeddedTarget::inProcess);
  static final Kind EMBEDDED_HTTP = new Kind("embedded-http", EmbeddedTarget::overHttp);

  private Targets() {}

  /** Every target the conformance suite runs against on this machine. */
  static List<Kind> all() {
    List<Kind> kinds = new ArrayList<>();
    kinds.add(DYNOXIDE);
    kinds.add(EMBEDDED_IN_PROCESS);
    kinds.add(EMBEDDED_HTTP);
    if (RealDynamoDbTarget.configured()) {
      kinds.add(new Kind("dynamodb", RealDynamoDbTarget::connect));
    }
    return kinds;
  }

  /** The two targets the differential test compares: the reference first. */
  static List<Kind> differentialPair() {
    return List.of(DYNOXIDE, EMBEDDED_IN_PROCESS);
  }
}
