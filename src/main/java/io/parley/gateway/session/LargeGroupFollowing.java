package io.parley.gateway.session;

import io.parley.conversation.ChatMessage;
import io.parley.conversation.MessageHistory;
import io.parley.gateway.relay.GroupRelay;
import java.util.List;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.javadsl.ActorContext;

/**
 * The large groups one {@link Connection}'s user is in: found once per connection (again at the
 * next heartbeat if the lookup failed), their relays told the connection is online (see {@link
 * GroupRelay}), and their live feeds passed on through {@link LargeGroupFeeds}.
 */
final class LargeGroupFollowing {
  /** The large groups the user is in; null: the lookup failed. */
  record Found(List<String> groups) {}

  /** A gap in a large group's live feed, read from history. */
  record GapRead(String group, long toSeq, List<ChatMessage> messages) {}

  private final String userId;
  private final GroupRelay.Started largeGroups;
  private final ActorContext<Object> ctx;
  final LargeGroupFeeds feeds;
  private boolean found;

  LargeGroupFollowing(String userId, MessageHistory history, GroupRelay.Started largeGroups,
      ActorContext<Object> ctx, Consumer<ChatMessage> send) {
    this.userId = userId;
    this.largeGroups = largeGroups;
    this.ctx = ctx;
    this.feeds = new LargeGroupFeeds(new LargeGroupFeeds.Output() {
      @Override
      public void send(ChatMessage message) {
        send.accept(message);
      }

      @Override
      public void readGap(String group, long fromSeq, long toSeq) {
        // Read as the user: nothing of a group they are not in (any more), nothing before they joined.
        ctx.pipeToSelf(history.page(userId, group, toSeq + 1, (int) Math.min(Integer.MAX_VALUE, toSeq - fromSeq + 1)),
            (read, failure) -> new GapRead(group, toSeq,
                read == null || !read.isOk() ? List.of() : read.value().messages()));
      }
    });
  }

  /** Once per connection: its large groups' relay subscriptions (joins later come through the relay). */
  void find() {
    if (found) {
      return;
    }
    found = true;
    ctx.pipeToSelf(largeGroups.known().of(userId),
        (groups, failure) -> new Found(failure == null ? groups : null));
  }

  void found(Found groups) {
    if (groups.groups() == null) {
      found = false; // asked again at the next heartbeat
    } else {
      largeGroups.relay().tell(new GroupRelay.Online(userId, ctx.getSelf(), groups.groups()));
    }
  }
}
