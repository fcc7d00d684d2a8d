package io.parley.storage;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/** Names the storage layer's own threads, numbered, and lets the JVM exit past them. */
record DaemonThreads(String prefix, AtomicInteger count) implements ThreadFactory {
  DaemonThreads(String prefix) {
    this(prefix, new AtomicInteger());
  }

  @Override
  public Thread newThread(Runnable runnable) {
    Thread thread = new Thread(runnable, prefix + "-" + count.incrementAndGet());
    thread.setDaemon(true);
    return thread;
  }
}
