package io.parley.store.engine;

import java.util.concurrent.ThreadFactory;

/** Threads of the store that never keep the JVM alive, named for thread dumps. */
public final class DaemonThreads implements ThreadFactory {
  private final String name;

  public DaemonThreads(String name) {
    this.name = name;
  }

  @Override
  public Thread newThread(Runnable work) {
    Thread thread = new Thread(work, name);
    thread.setDaemon(true);
    return thread;
  }
}
