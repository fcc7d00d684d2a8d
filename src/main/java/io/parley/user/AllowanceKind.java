package io.parley.user;

/**
 * What a user's rate limits count, one bucket each in the user's entity ({@link Allowances}):
 * messages, typing notices (each fans out to every member), group changes and presence
 * (un)subscriptions (each wakes user entities).
 *
 * <p>Leases name their kind, and a node of an earlier version cannot read a kind it does not
 * know: the lease is lost there and its asker waits out the ask timeout. A new count that the
 * user's entity can keep itself, from a request it is asked anyway, avoids that (the users newly
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
  PUSH_TOKENS
}
