package io.parley;

import com.typesafe.config.ConfigException;
import java.net.BindException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node that cannot start says so in one line and exits non-zero. Left alone, a failure in
 * {@code main} or in a binding's future leaves the stores' and Pekko's threads running: a process
 * with no ready line and nothing listening.
 */
final class StartupFailure {
  private static final Logger log = LoggerFactory.getLogger(StartupFailure.class);

  /** Exit status of a node that could not start. */
  static final int STATUS = 1;

  private StartupFailure() {}

  /** What the operator must read: what failed and what to do. */
  static final class Refusal extends RuntimeException {
    Refusal(String message) {
      super(message);
    }

    Refusal(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /**
   * Prints the one line for {@code failure} and halts the JVM; nothing if a stop was requested
   * ({@link StopRequest}): the failure is the stop cutting the start short, not a failure to start. Not a graceful exit: a node that did
   * not start has no clients to drain, every write it made is committed or not answered, and a
   * coordinated shutdown of a half-started node only prints its own noise (requests cut short,
   * their stack traces) after the line that matters, or hangs.
   */
  static void exit(Throwable failure) {
    if (StopRequest.requested()) {
      // Stopped while starting: the JVM exits as for any stop, and this is only what cut it short.
      log.debug("Start-up cut short by a stop", failure);
      return;
    }
    String line = "Parley could not start: " + explain(failure);
    log.debug(line, failure);
    System.out.flush();
    System.err.println(line);
    System.err.flush();
    Runtime.getRuntime().halt(STATUS);
  }

  static String explain(Throwable failure) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (cause instanceof Refusal refusal) {
        return refusal.getMessage();
      }
    }
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (cause instanceof BindException) {
        return "a port is in use (" + firstLine(failure) + "): stop what uses it, or move this node to free ports "
            + "(PARLEY_HTTP_PORT, PARLEY_MANAGEMENT_PORT, PARLEY_CLUSTER_PORT, PARLEY_DYNAMODB_EMBEDDED_PORT, "
            + "PARLEY_S3_EMBEDDED_PORT)";
      }
      if (cause instanceof ConfigException) {
        return "the configuration is wrong: " + firstLine(cause);
      }
    }
    return rootMessage(failure) + " (PARLEY_LOG_LEVEL=DEBUG shows where)";
  }

  /** The first line of what the innermost cause of {@code failure} says. */
  static String rootMessage(Throwable failure) {
    Throwable root = failure;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return firstLine(root);
  }

  private static String firstLine(Throwable failure) {
    String message = failure.getMessage() == null ? failure.getClass().getName() : failure.getMessage();
    return message.lines().findFirst().orElse(message).strip();
  }
}
