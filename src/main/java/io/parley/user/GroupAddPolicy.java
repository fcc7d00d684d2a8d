package io.parley.user;

import java.util.Locale;
import java.util.Optional;

/**
 * Who may add a user to groups directly (issue 39). Anyone else who adds them gets them invited
 * instead ({@link GroupConsent}). Direct conversations are not groups: this never applies to them.
 */
public enum GroupAddPolicy {
  /** Anyone. */
  EVERYONE,
  /** Those who share a conversation with the user (as the user's inbox records it, as for presence). */
  CONTACTS,
  /** No one: every addition is an invite. */
  NOBODY;

  /** As the protocol writes it: {@code everyone}, {@code contacts}, {@code nobody}. */
  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Optional<GroupAddPolicy> parse(String value) {
    if (value == null) {
      return Optional.empty();
    }
    for (GroupAddPolicy policy : values()) {
      if (policy.wire().equals(value)) {
        return Optional.of(policy);
      }
    }
    return Optional.empty();
  }
}
