package io.parley.push;

import io.parley.conversation.ChatMessage;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.function.Function;
import java.util.function.IntSupplier;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * The wake-up pushes of one user with no device connected: the newest message from someone else
 * is worth one, coalesced per conversation ({@link PushCoalescer}), and it goes to every token the
 * user registered. Runs inside the user's actor, whose timers say when a push is due: {@code T}
 * is that actor's command type and {@code dueMessage} the command that hands the due push back.
 */
public final class OfflinePushes<T> {
  private final String userId;
  private final PushCoalescer coalescer;
  private final PushNotifier notifier;
  private final TimerScheduler<T> timers;
  private final Function<String, T> dueMessage;
  private final Clock clock;

  public OfflinePushes(
      String userId,
      Duration gatherDelay,
      Duration coalesceWindow,
      PushNotifier notifier,
      TimerScheduler<T> timers,
      Function<String, T> dueMessage,
      Clock clock) {
    this.userId = userId;
    this.coalescer = new PushCoalescer(gatherDelay, coalesceWindow);
    this.notifier = notifier;
    this.timers = timers;
    this.dueMessage = dueMessage;
    this.clock = clock;
  }

  /** Messages of a conversation were stored for the offline user; a tombstone is nothing to wake them for. */
  public void stored(String conversationId, List<ChatMessage> messages) {
    for (int i = messages.size() - 1; i >= 0; i--) {
      ChatMessage m = messages.get(i);
      if (!m.senderId().equals(userId) && !ChatMessage.DELETED.equals(m.contentType())) {
        mentioned(conversationId, m.seq(), m.senderId());
        return;
      }
    }
  }

  /** A large group's message mentions the offline user: coalesced with the conversation's other pushes. */
  public void mentioned(String conversationId, long seq, String senderId) {
    coalescer.offer(new PushCoalescer.Due(conversationId, seq, senderId), clock.millis())
        .ifPresent(delay -> timers.startSingleTimer(timerKey(conversationId), dueMessage.apply(conversationId), delay));
  }

  /** The conversation's push is due (its {@code dueMessage} arrived): it goes to every token. */
  public void due(String conversationId, Collection<PushToken> tokens, IntSupplier badge) {
    coalescer.take(conversationId, clock.millis()).ifPresent(due -> {
      int unread = badge.getAsInt();
      for (PushToken token : tokens) {
        notifier.notify(new PushNotification(
            userId, token.platform(), token.token(), due.conversationId(), due.seq(), due.senderId(), unread));
      }
    });
  }

  /** A device is back: it fetches what is pending, so nothing waiting is pushed. */
  public void cancelAll() {
    coalescer.clear().forEach(conversationId -> timers.cancel(timerKey(conversationId)));
  }

  /** No push waits to be sent. */
  public boolean isEmpty() {
    return coalescer.isEmpty();
  }

  private static String timerKey(String conversationId) {
    return "push:" + conversationId;
  }
}
