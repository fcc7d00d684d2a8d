package io.parley.push;

/** Where the UserActor hands its pushes. It must return at once: push is never on the hot path. */
@FunctionalInterface
public interface PushNotifier {
  void notify(PushNotification notification);
}
