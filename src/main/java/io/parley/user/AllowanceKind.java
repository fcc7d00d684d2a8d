package io.parley.user;

import com.fasterxml.jackson.annotation.JsonEnumDefaultValue;

/**
 * What a user's rate limits count, one bucket each in the user's entity ({@link Allowances}):
 * messages, typing notices (each fans out to every member), group changes and presence
 * (un)subscriptions (each wakes user entities).
 *
 * <p>Leases name their kind. A kind added after this one reads here as {@link #UNKNOWN}, whose
 * lease the user's entity refuses at once ({@link UserActor.AllowanceLease#unknownKind}), so the
 * asking node answers {@code unavailable} instead of waiting out the ask timeout. Versions before
 * that lose such a lease (PUSH_TOKENS, to a node that predates it). A new count that the user's
 * entity can keep itself, from a request it is asked anyway, avoids even that (the users newly
 * watched, {@link Allowances#spendNewWatches}).
 */
public enum AllowanceKind {
  MESSAGES,
  TYPING,
  GROUP_CHANGES,
  PRESENCE,
  /** A copy of everything the user stored: it reads every conversation they were ever in. */
  EXPORTS,
  /** Messages mentioning {@code @all}: each wakes every member of a large group. */
  EVERYONE_MENTIONS,
  /**
   * History pages, member lists, each reads the store; deletions, leaves and a large group's read
   * marks, each asks the conversation (starting it) or looks an id the node does not know up.
   */
  READS,
  /** Push token registrations: each token is a record of its own ({@code PushTokenOwner}). */
  PUSH_TOKENS,
  /** A kind of a later version, read here: never counted, never sent (see {@link #counted}). */
  @JsonEnumDefaultValue
  UNKNOWN;

  /** The kinds this version counts: all but {@link #UNKNOWN}. */
  public static java.util.List<AllowanceKind> counted() {
    return java.util.Arrays.stream(values()).filter(kind -> kind != UNKNOWN).toList();
  }
}
