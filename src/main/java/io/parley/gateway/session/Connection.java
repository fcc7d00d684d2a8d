package io.parley.gateway.session;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.parley.cluster.HandlerTable;
import io.parley.conversation.LiveEvent;
import io.parley.conversation.MessageHistory;
import io.parley.gateway.Entities;
import io.parley.gateway.WireFormat;
import io.parley.gateway.relay.GroupRelay;
import io.parley.metrics.ParleyMetrics;
import io.parley.privacy.ContentSealing;
import io.parley.user.DeviceEvent;
import io.parley.user.PendingReader;
import io.parley.user.PresenceNotices;
import io.parley.user.UserActor;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * One WebSocket connection of one device. It registers with the UserActor (again at every
 * heartbeat, and whenever that actor stops), sends {@code hello}, and passes the device's stream
 * items to its {@link DeviceStream}, which sends them in cursor order and never twice: pending
 * ones after hello, live ones as they come, and a re-delivery after a cursor gap (an item missed
 * while the UserActor moved or restarted). It also relays large groups' live feeds (see {@link
 * LargeGroupFollowing}) and presence (see {@link PresenceWatching}), and ends with its token. The
 * replies to the client's frames go to the socket without it (the socket's stage holds them until hello).
 *
 * <p>Its protocol is {@code Object} so that the same ref can be handed to the UserActor as an
 * {@code ActorRef<DeviceEvent>} (and watched there) while it also receives its own messages.
 */
public final class Connection {
  /** The socket is ready to take frames (from any thread). */
  public record Attach(Consumer<SocketOutput.Outbound> outbound) {}

  /** What waits for the socket went above its low-water mark (behind) or back below it. */
  public record Backlog(boolean behind) {}

  /** The socket took one more text frame off the outbound buffer. */
  public enum Written {
    INSTANCE
  }

  /**
   * The device acked through {@code cursor} (accepted by its UserActor): it has those items, from
   * this connection or an earlier one, so none of them is sent on this one again. {@code taken},
   * if given, completes once this connection knows: the answer that makes the ack durable waits
   * for it (see {@link ClientFrames}), so that nothing acked follows that answer.
   */
  public record Acked(long cursor, CompletableFuture<Void> taken) {
    public Acked(long cursor) {
      this(cursor, null);
    }

    /** The same ack, whoever waits for it to be taken. */
    @Override
    public boolean equals(Object other) {
      return other instanceof Acked acked && acked.cursor == cursor;
    }

    @Override
    public int hashCode() {
      return Long.hashCode(cursor);
    }
  }

  /** The client sent a newer token (auth.refresh): the connection lives until it expires. */
  public record TokenRefreshed(Instant expiresAt) {}

  /** Whose presence the client watches now, so that the subscriptions are renewed. */
  public record PresenceWatched(Set<String> userIds) {}

  /** The socket is gone. */
  public record Closed() {}

  /** An error for a frame answered apart from the replies' order (see {@link ClientFrames}). */
  record Refusal(ObjectNode error) {}

  /** The node is shutting down: tell the client to reconnect elsewhere, then close. */
  public record Drain(long reconnectAfterMs, Duration closeAfter) {}

  private enum CloseNow {
    INSTANCE
  }

  /** A registration that got no answer is tried again. */
  private enum ReRegister {
    INSTANCE
  }

  /** The {@link Heartbeat}'s timer: every beat pings and registers again. Presence subscriptions
   *  are not renewed here, which would wake every watched user: see {@link PresenceNotices}. */
  private enum Tick {
    INSTANCE
  }

  /** A request to the UserActor got no answer in time: try again. */
  private record NoAnswer(Object retry) {}

  private enum Replay {
    INSTANCE
  }

  private enum AttachTimeout {
    INSTANCE
  }

  static final Duration RETRY_AFTER = Duration.ofMillis(500);

  public static Behavior<Object> create(
      String userId,
      String deviceId,
      Instant tokenExpiresAt,
      Entities entities,
      MessageHistory history,
      ContentSealing sealing,
      LiveConnections live,
      GroupRelay.Started largeGroups,
      Heartbeat.Liveness liveness,
      Duration heartbeat,
      Duration askTimeout,
      Clock clock) {
    return Behaviors.setup(
        ctx -> {
          live.opened(ctx.getSelf());
          return Behaviors.withTimers(
              timers ->
                  new Connection(userId, deviceId, entities, history, sealing, live, largeGroups, liveness,
                      heartbeat, askTimeout, clock, ctx, timers)
                      .awaitingAttach(tokenExpiresAt));
        });
  }

  private final String userId;
  private final String deviceId;
  private final Entities entities;
  private final ContentSealing sealing;
  private final LiveConnections live;
  private final LargeGroupFollowing largeGroups;
  private final PresenceWatching presence;
  private final Heartbeat.Liveness liveness;
  private final Heartbeat heartbeat;
  private final Clock clock;
  private final ActorContext<Object> ctx;
  private final TimerScheduler<Object> timers;
  private final TokenExpiry tokenExpiry;

  private final SocketOutput socket = new SocketOutput();
  private boolean attached;
  private final UserRegistration registration;
  private final DeviceStream stream;

  private Connection(
      String userId,
      String deviceId,
      Entities entities,
      MessageHistory history,
      ContentSealing sealing,
      LiveConnections live,
      GroupRelay.Started largeGroups,
      Heartbeat.Liveness liveness,
      Duration heartbeat,
      Duration askTimeout,
      Clock clock,
      ActorContext<Object> ctx,
      TimerScheduler<Object> timers) {
    this.userId = userId;
    this.deviceId = deviceId;
    this.entities = entities;
    this.sealing = sealing;
    this.live = live;
    this.largeGroups = new LargeGroupFollowing(userId, history, largeGroups, ctx, message -> {
      ParleyMetrics.messageDelivered(message.serverTs(), clock.millis());
      deliver(new DeviceEvent.GroupMessage(message));
    });
    this.presence = new PresenceWatching(userId, entities, ctx);
    this.registration = new UserRegistration(userId, deviceId, entities, askTimeout, ctx, new NoAnswer(ReRegister.INSTANCE));
    this.liveness = liveness;
    this.heartbeat = new Heartbeat(heartbeat);
    this.clock = clock;
    this.ctx = ctx;
    this.timers = timers;
    this.tokenExpiry = new TokenExpiry(timers, clock);
    PendingReplay replay = new PendingReplay(userId,
        new PendingReader(entities, history, askTimeout, ctx.getSystem()), ctx, new NoAnswer(Replay.INSTANCE),
        socket::hasRoom);
    this.stream = new DeviceStream(userId, replay, new DeviceStream.Output() {
      @Override
      public void send(DeviceEvent event) {
        Connection.this.send(event);
      }

      @Override
      public void send(ObjectNode frame) {
        Connection.this.send(frame);
      }

      @Override
      public void close() {
        socket.complete();
      }
    }, timers, Replay.INSTANCE, RETRY_AFTER, clock, ctx.getLog());
  }

  private ActorRef<DeviceEvent> self() {
    return ctx.getSelf().narrow();
  }

  private Behavior<Object> awaitingAttach(Instant tokenExpiresAt) {
    registration.register();
    tokenExpiry.expireAt(tokenExpiresAt);
    timers.startSingleTimer(AttachTimeout.INSTANCE, Duration.ofSeconds(30));
    return running();
  }

  /** One table for every connection (see {@link HandlerTable}). */
  private static final HandlerTable<Connection, Void, Object, Behavior<Object>> MESSAGES =
      HandlerTable.<Connection, Void, Object, Behavior<Object>>builder()
          .on(Attach.class, (self, none, attach) -> self.onAttach(attach))
          .on(AttachTimeout.class, (self, none, t) -> self.attached ? Behaviors.same() : self.stop())
          .on(UserActor.Connected.class, (self, none, connected) -> self.onRegistered(connected))
          .on(Written.class, (self, none, written) -> same(() -> {
            self.socket.written();
            self.stream.socketDrained();
          }))
          .on(Backlog.class, (self, none, backlog) -> same(() -> {
            self.socket.behind(backlog.behind());
            if (!backlog.behind()) {
              self.stream.socketDrained();
            }
          }))
          .on(PendingReplay.PageArrived.class, (self, none, page) -> same(() -> self.stream.pageArrived(page)))
          .on(PendingReplay.PageLoaded.class, (self, none, page) -> same(() -> self.stream.pageLoaded(page)))
          .on(DeviceEvent.StreamItem.class, (self, none, item) -> same(() -> self.stream.item(item)))
          .on(Acked.class, (self, none, acked) -> same(() -> {
            self.stream.acked(acked.cursor());
            if (acked.taken() != null) {
              acked.taken().complete(null);
            }
          }))
          .on(LargeGroupFollowing.Found.class, (self, none, found) -> same(() -> self.largeGroups.found(found)))
          .on(LiveEvent.Joined.class, (self, none, joined) ->
              same(() -> self.largeGroups.feeds.joined(joined.conversationId(), joined.lastSeq())))
          .on(LiveEvent.Messages.class, (self, none, messages) ->
              same(() -> self.largeGroups.feeds.messages(messages.conversationId(), messages.messages())))
          .on(LargeGroupFollowing.GapRead.class, (self, none, gap) ->
              same(() -> self.largeGroups.feeds.gapRead(gap.group(), gap.toSeq(), gap.messages())))
          .on(GroupRelay.Dropped.class, (self, none, dropped) ->
              same(() -> self.largeGroups.feeds.forget(dropped.conversationId())))
          .on(LiveEvent.Typing.class, (self, none, typing) -> same(() -> {
            if (!typing.typistId().equals(self.userId)) {
              self.deliver(new DeviceEvent.Typing(typing.conversationId(), typing.typistId()));
            }
          }))
          .on(DeviceEvent.Replaced.class, (self, none, r) -> same(() -> self.socket.complete()))
          .on(DeviceEvent.TooManyDevices.class, (self, none, refused) -> same(() -> self.socket.emit(
              new SocketOutput.Close(SocketOutput.Close.POLICY_VIOLATION,
                  "more than " + refused.max() + " devices of this user are connected"))))
          .on(DeviceEvent.TooManyNewDevices.class, (self, none, refused) -> same(() -> self.socket.emit(
              new SocketOutput.Close(SocketOutput.Close.POLICY_VIOLATION,
                  "more than " + refused.max() + " new devices of this user today"))))
          .on(DeviceEvent.RegistrationRefused.class,
              (self, none, refused) -> same(() -> self.timers.startSingleTimer(ReRegister.INSTANCE, RETRY_AFTER)))
          .on(DeviceEvent.Presence.class, (self, none, presence) -> same(() -> {
            self.presence.presence(presence);
            self.deliver(presence);
          }))
          .on(PresenceWatching.WatchedUserStopped.class, (self, none, stopped) -> same(() -> self.presence.stopped(stopped)))
          .on(DeviceEvent.class, (self, none, event) -> same(() -> self.deliver(event)))
          .on(ReRegister.class, (self, none, r) -> same(self.registration::register))
          .on(Tick.class, (self, none, tick) -> same(self::onTick))
          .on(TokenRefreshed.class, (self, none, refreshed) -> same(() -> self.tokenExpiry.expireAt(refreshed.expiresAt())))
          .on(TokenExpiry.Due.class, (self, none, due) -> same(() -> {
            if (self.tokenExpiry.expired(due)) {
              self.send(WireFormat.tokenExpired());
              self.socket.complete();
            }
          }))
          .on(PresenceWatched.class, (self, none, watched) -> same(() -> self.presence.watch(watched.userIds())))
          .on(Refusal.class, (self, none, refusal) -> same(() -> self.send(refusal.error())))
          .on(UserRegistration.UserActorStopped.class, (self, none, stopped) -> same(self.registration::userActorStopped))
          .on(UserRegistration.Superseded.class, (self, none, superseded) -> Behaviors.same())
          .on(NoAnswer.class, (self, none, noAnswer) -> same(() -> {
            if (noAnswer.retry() == Replay.INSTANCE) {
              self.stream.noAnswer();
            }
            self.timers.startSingleTimer(noAnswer.retry(), RETRY_AFTER);
          }))
          .on(Replay.class, (self, none, r) -> same(() -> self.stream.retry()))
          .on(Drain.class, (self, none, drain) -> self.onDrain(drain))
          .on(CloseNow.class, (self, none, c) -> same(() -> self.socket.complete()))
          .on(Closed.class, (self, none, c) -> self.stop())
          .build();

  private Behavior<Object> running() {
    return Behaviors.receive(
        (context, message) -> MESSAGES.apply(this, null, message),
        (context, signal) -> {
          if (signal instanceof PostStop) {
            live.closed(ctx.getSelf());
            presence.watch(Set.of());
            return Behaviors.same();
          }
          return Behaviors.unhandled();
        });
  }

  private Behavior<Object> onDrain(Drain drain) {
    send(WireFormat.frame("server.draining", null).put("reconnect_after_ms", drain.reconnectAfterMs()));
    timers.startSingleTimer(CloseNow.INSTANCE, drain.closeAfter());
    return Behaviors.same();
  }

  private Behavior<Object> onAttach(Attach attach) {
    attached = true;
    socket.attach(attach.outbound());
    heartbeat.start(liveness.silentMillis());
    scheduleTick();
    return Behaviors.same();
  }

  private void onTick() {
    long silent = liveness.silentMillis();
    Heartbeat.Decision decision = heartbeat.tick(silent);
    if (decision == Heartbeat.Decision.CLOSE) {
      liveness.closeIdle(silent); // the socket ends, and with it this actor
      return;
    }
    scheduleTick(); // before the beat's work, so that its effects find the next tick set
    if (decision == Heartbeat.Decision.BEAT) {
      liveness.ping();
      // Besides watching the UserActor, re-register now and then: a safety net should a watch
      // notification ever be missed.
      registration.register();
      largeGroups.find(); // if the lookup at registration failed
    }
  }

  private void scheduleTick() {
    timers.startSingleTimer(Tick.INSTANCE, Duration.ofMillis(heartbeat.delayMillis()));
  }

  private Behavior<Object> onRegistered(UserActor.Connected connected) {
    UserRegistration.Registered registered = registration.registered(connected);
    if (registered.newRun()) {
      presence.ownEntityRestarted(connected.user());
    }
    largeGroups.find();
    if (!stream.started()) {
      // hello goes out once the device is registered: from then on its items are kept for it.
      // The socket holds the replies to the client's requests until it is out.
      socket.hello(WireFormat.hello(userId, deviceId, clock.millis(), heartbeat.heartbeatMillis()));
      stream.start();
    }
    stream.registered(connected, registered.missedNothing());
    return Behaviors.same();
  }

  /** An event, in its turn in the device's stream (see {@link DeviceStream#event}). */
  private void deliver(DeviceEvent event) {
    stream.event(() -> send(event));
  }

  private void send(ObjectNode frame) {
    socket.send(frame);
  }

  /** An event's frame, its content opened first. */
  private void send(DeviceEvent event) {
    long now = clock.millis();
    socket.send(sealing.open(event).thenApply(opened -> WireFormat.event(opened, now)));
  }

  /** Does {@code action} and goes on as before. */
  private static Behavior<Object> same(Runnable action) {
    action.run();
    return Behaviors.same();
  }

  private Behavior<Object> stop() {
    entities.user(userId).tell(new UserActor.Disconnect(deviceId, self()));
    return Behaviors.stopped();
  }
}
