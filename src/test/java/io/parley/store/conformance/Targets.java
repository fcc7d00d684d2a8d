package io.parley.store.conformance;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/** The DynamoDB implementations the suite and the differential test run against. */
final class Targets {
  /** A target by name, started only when a test first needs it. */
  record Kind(String name, Supplier<Target> start) {}

  static final Kind DYNOXIDE = new Kind("dynoxide", DynoxideTarget::start);
  /** A second, independent dynoxide process: the differential test's stand-in until the embedded store is here. */
  static final Kind DYNOXIDE_TWIN = new Kind("dynoxide-twin", DynoxideTarget::start);

  // EMBEDDED STORE (issue 40, point 6): when io.parley.store.EmbeddedStore is merged, add one small
  // class per door (EmbeddedInProcessTarget: EmbeddedStore.open(tempDir).inProcessClient();
  // EmbeddedHttpTarget: serveHttp("127.0.0.1", 0) and an SDK client on its endpoint()), a Kind for
  // each below, add them to all(), and set DifferentialTest's pair to (DYNOXIDE, EMBEDDED_IN_PROCESS).

  private Targets() {}

  /** Every target the conformance suite runs against on this machine. */
  static List<Kind> all() {
    List<Kind> kinds = new ArrayList<>();
    kinds.add(DYNOXIDE);
    if (RealDynamoDbTarget.configured()) {
      kinds.add(new Kind("dynamodb", RealDynamoDbTarget::connect));
    }
    return kinds;
  }

  /** The two targets the differential test compares: the reference first. */
  static List<Kind> differentialPair() {
    return List.of(DYNOXIDE, DYNOXIDE_TWIN);
  }
}
