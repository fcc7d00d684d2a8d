package io.parley.gateway.session;

import io.parley.conversation.ChatMessage;
import io.parley.gateway.relay.GroupRelay;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A connection's live feeds of its large groups, relayed by {@link GroupRelay}: each message goes
 * to the device once and in seq order. A feed starts after the seq the group reported when the
 * relay registered (what came before is history, which the client reads on open); a gap (a relay
 * registering again after the group restarted, a message lost on the way) is read from history
 * before anything after it goes out.
 */
final class LargeGroupFeeds {
  interface Output {
    void send(ChatMessage message);

    /** Read {@code fromSeq..toSeq} of {@code group}; the answer comes to {@link #gapRead}. */
    void readGap(String group, long fromSeq, long toSeq);
  }

  private final Output out;
  private final Map<String, Long> lastSent = new HashMap<>();
  /** Groups whose gap is being read, with what arrived meanwhile. */
  private final Map<String, List<ChatMessage>> heldWhileReading = new HashMap<>();

  LargeGroupFeeds(Output out) {
    this.out = out;
  }

  /** The group's newest seq as its relay registration reported it. */
  void joined(String group, long lastSeq) {
    Long last = lastSent.get(group);
    if (last == null) {
      lastSent.put(group, lastSeq);
    } else if (lastSeq > last && !heldWhileReading.containsKey(group)) {
      readGap(group, last + 1, lastSeq, List.of());
    }
  }

  void messages(String group, List<ChatMessage> messages) {
    List<ChatMessage> held = heldWhileReading.get(group);
    if (held != null) {
      held.addAll(messages);
      return;
    }
    long last = lastSent.getOrDefault(group, messages.get(0).seq() - 1); // heard before its registration's answer
    for (int i = 0; i < messages.size(); i++) {
      ChatMessage m = messages.get(i);
      if (m.seq() <= last) {
        continue;
      }
      if (m.seq() > last + 1) {
        lastSent.put(group, last);
        readGap(group, last + 1, m.seq() - 1, messages.subList(i, messages.size()));
        return;
      }
      out.send(m);
      last = m.seq();
    }
    lastSent.put(group, last);
  }

  /** The relay no longer relays {@code group} here: a gap read under way sends nothing either. */
  void forget(String group) {
    lastSent.remove(group);
    heldWhileReading.remove(group);
  }

  /** The gap came back (what history could not give is gone: deleted, or the read failed). */
  void gapRead(String group, long toSeq, List<ChatMessage> read) {
    if (!heldWhileReading.containsKey(group)) {
      return; // forgotten meanwhile
    }
    long last = lastSent.getOrDefault(group, 0L);
    for (ChatMessage m : read) {
      if (m.seq() > last && m.seq() <= toSeq) {
        out.send(m);
        last = m.seq();
      }
    }
    lastSent.put(group, Math.max(last, toSeq));
    List<ChatMessage> held = heldWhileReading.remove(group);
    if (held != null && !held.isEmpty()) {
      messages(group, held);
    }
  }

  private void readGap(String group, long from, long to, List<ChatMessage> after) {
    heldWhileReading.put(group, new ArrayList<>(after));
    out.readGap(group, from, to);
  }
}
