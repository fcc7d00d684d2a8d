package io.parley.metrics;

import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * Failures told to the operator in one line a minute at most, with how many of each kind came
 * since the last line: in an outage they come by the hundred a second, and a line each would bury
 * the log (and fill the disk that may be the cause). The first is told at once.
 */
public final class FailureLog {
  private static final long EVERY_NANOS = 60_000_000_000L;

  private final LongSupplier nanoTime;
  private final Consumer<String> tell;
  private final Map<String, Long> sinceTold = new TreeMap<>();
  private long lastToldNanos;
  private boolean everTold;

  public FailureLog(Consumer<String> tell) {
    this(System::nanoTime, tell);
  }

  public FailureLog(LongSupplier nanoTime, Consumer<String> tell) {
    this.nanoTime = nanoTime;
    this.tell = tell;
  }

  /**
   * One failure of {@code kind}; if it is time to tell, {@code line} renders the line from the
   * counts since the last one ("conversation write 570, user write 188").
   */
  public void failed(String kind, Function<String, String> line) {
    String counts;
    synchronized (this) { // failures come on any thread
      sinceTold.merge(kind, 1L, Long::sum);
      long now = nanoTime.getAsLong();
      if (everTold && now - lastToldNanos < EVERY_NANOS) {
        return;
      }
      StringBuilder all = new StringBuilder();
      sinceTold.forEach((what, count) -> all.append(all.length() == 0 ? "" : ", ").append(what).append(' ').append(count));
      counts = all.toString();
      sinceTold.clear();
      lastToldNanos = now;
      everTold = true;
    }
    tell.accept(line.apply(counts));
  }

  /** The innermost cause of {@code failure}, as "Type: message". */
  public static String rootCause(Throwable failure) {
    Throwable cause = failure;
    while (cause.getCause() != null && cause.getCause() != cause) {
      cause = cause.getCause();
    }
    return cause.getClass().getSimpleName() + ": " + cause.getMessage();
  }
}
