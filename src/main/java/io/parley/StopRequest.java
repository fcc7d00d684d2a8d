package io.parley;

/**
 * Whether the JVM was asked to stop (SIGTERM, Ctrl-C). A start-up cut short by a stop fails on
 * the way (the actor system terminating under it, requests to the stores cut off), and that is no
 * failure to report: the node stops as a running node would, quietly.
 */
final class StopRequest {
  private static volatile boolean requested;

  private StopRequest() {}

  /** From now on, a stop of the JVM is noted. Call first thing in main. */
  static void watch() {
    Runtime.getRuntime().addShutdownHook(new Thread(StopRequest::note, "parley-stop-requested"));
  }

  static void note() {
    requested = true;
  }

  static boolean requested() {
    return requested;
  }

  /** As before any stop: for tests, which share one JVM. */
  static void forget() {
    requested = false;
  }
}
