package io.parley.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A fixture several test classes share, such as a node whose start costs seconds: made by the
 * first class that asks, in a temporary directory of its own, and kept in the launcher session's
 * store, so it is closed, and the directory deleted, when the session ends. Surefire and failsafe
 * run each class of a fork as a request of its own, whose root store is closed with the class,
 * but all of them in one session.
 */
public final class RunFixture {
  private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(RunFixture.class);

  /** How a fixture starts, in the directory it is given. */
  public interface Start<T extends AutoCloseable> {
    T start(Path dir) throws Exception;
  }

  private RunFixture() {}

  /** The run's fixture named by {@code owner} (the class that shares it), started by the first call. */
  public static <T extends AutoCloseable> T get(ExtensionContext context, Class<?> owner, Start<T> start) {
    @SuppressWarnings("unchecked")
    Held<T> held = context.getStore(ExtensionContext.StoreScope.LAUNCHER_SESSION, NAMESPACE)
        .getOrComputeIfAbsent(owner, key -> Held.start(start), Held.class);
    return held.fixture();
  }

  private record Held<T extends AutoCloseable>(T fixture, Path dir) implements AutoCloseable {
    static <T extends AutoCloseable> Held<T> start(Start<T> start) {
      try {
        Path dir = Files.createTempDirectory("parley-run-fixture");
        return new Held<>(start.start(dir), dir);
      } catch (Exception e) {
        throw new IllegalStateException("the shared fixture did not start", e);
      }
    }

    @Override
    public void close() throws Exception {
      fixture.close();
      try (Stream<Path> files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(file -> file.toFile().delete());
      }
    }
  }
}
