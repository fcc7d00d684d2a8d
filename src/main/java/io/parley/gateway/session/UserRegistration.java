package io.parley.gateway.session;

import io.parley.gateway.Entities;
import io.parley.user.UserActor;
import java.time.Duration;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.ActorContext;

/**
 * One {@link Connection}'s registration with its user's entity: asked, and the entity that
 * answered watched, so that the connection registers again when it stops (passivated, moved or
 * crashed) and can tell whether a later answer comes from the same run of it.
 */
final class UserRegistration {
  /** The UserActor we registered with stopped. */
  record UserActorStopped() {}

  /** A registration's ask timed out after a later one was asked (the entity refused it): the later one counts. */
  record Superseded() {}

  /** What an answer means: whether the connection missed nothing, and whether the entity is a new run. */
  record Registered(boolean missedNothing, boolean newRun) {}

  private final String userId;
  private final String deviceId;
  private final Entities entities;
  private final Duration askTimeout;
  private final ActorContext<Object> ctx;
  /** What the connection is told when a registration got no answer in time. */
  private final Object noAnswer;
  private ActorRef<UserActor.Command> watchedUser;
  private long userIncarnation;
  /** Registrations asked so far: only the latest one's timeout means no answer. */
  private long asked;

  UserRegistration(String userId, String deviceId, Entities entities, Duration askTimeout,
      ActorContext<Object> ctx, Object noAnswer) {
    this.userId = userId;
    this.deviceId = deviceId;
    this.entities = entities;
    this.askTimeout = askTimeout;
    this.ctx = ctx;
    this.noAnswer = noAnswer;
  }

  void register() {
    long attempt = ++asked;
    ctx.ask(UserActor.Connected.class, entities.user(userId), askTimeout,
        replyTo -> new UserActor.Connect(deviceId, ctx.getSelf().narrow(), replyTo),
        (connected, failure) -> connected != null ? connected : attempt == asked ? noAnswer : new Superseded());
  }

  void userActorStopped() {
    watchedUser = null;
    register();
  }

  Registered registered(UserActor.Connected connected) {
    // Only a re-registration with the very UserActor run that already had us registered has
    // missed nothing: its live items arrive in order, and a gap among them starts a replay.
    boolean missedNothing = connected.alreadyRegistered()
        && connected.user().equals(watchedUser) && connected.incarnation() == userIncarnation;
    boolean newRun = connected.incarnation() != userIncarnation;
    userIncarnation = connected.incarnation();
    if (!connected.user().equals(watchedUser)) {
      if (watchedUser != null) {
        ctx.unwatch(watchedUser);
      }
      watchedUser = connected.user();
      ctx.watchWith(watchedUser, new UserActorStopped());
    }
    return new Registered(missedNothing, newRun);
  }
}
