package io.parley.user;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.TreeSet;

/**
 * The conversations an erasure asks to drop the user, a page at a time: its events and the
 * entity's snapshot then hold one page however many conversations the user was in (an item holds
 * 400 KB). The entity's own (those it has stored messages of, and its inbox) are paged from its
 * state by the last id recorded, so nothing but that id needs recording between pages.
 */
final class KnownConversations {
  static final int DEFAULT_PAGE_SIZE = 1_000;
  static final String PAGE_SIZE_SETTING = "parley.user.erasure-page-size";

  private KnownConversations() {}

  /** The entity's own conversations after {@code after} (null: from the first), a page of them. */
  static KeptElsewhere.Page ofState(UserState state, String after, int limit) {
    TreeSet<String> known = new TreeSet<>(state.storedThrough.keySet());
    known.addAll(state.inbox.entries().keySet());
    return page(known, after, limit);
  }

  /** Up to {@code limit} of {@code ids} after {@code after} (null: from the first), in id order. */
  static KeptElsewhere.Page page(Collection<String> ids, String after, int limit) {
    TreeSet<String> sorted = new TreeSet<>(ids);
    List<String> page = new ArrayList<>(Math.min(limit, sorted.size()));
    for (String id : after == null ? sorted : sorted.tailSet(after, false)) {
      if (page.size() == limit) {
        return new KeptElsewhere.Page(List.copyOf(page), true);
      }
      page.add(id);
    }
    return new KeptElsewhere.Page(List.copyOf(page), false);
  }

  /** What an event records as the place to go on from: the last id of a page with more after it. */
  static String after(KeptElsewhere.Page page) {
    return page.more() ? page.conversations().get(page.conversations().size() - 1) : null;
  }
}
