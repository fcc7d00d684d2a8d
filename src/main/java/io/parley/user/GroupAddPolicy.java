package io.parley.user;

import com.fasterxml.jackson.annotation.JsonEnumDefaultValue;
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
  NOBODY,
  /**
   * A policy of a later version, read here (a rolling update): held as {@link #NOBODY}, the
   * strictest (no one is added without the user's consent), and told as such. Never chosen here.
   */
  @JsonEnumDefaultValue
  UNKNOWN;

  /** As the protocol writes it: {@code everyone}, {@code contacts}, {@code nobody}. */
  public String wire() {
    return enforced().name().toLowerCase(Locale.ROOT);
  }

  /** The policy this version holds to: itself, or {@link #NOBODY} for a later version's. */
  public GroupAddPolicy enforced() {
    return this == UNKNOWN ? NOBODY : this;
  }

  public static Optional<GroupAddPolicy> parse(String value) {
    if (value == null) {
      return Optional.empty();
    }
    for (GroupAddPolicy policy : values()) {
      if (policy != UNKNOWN && policy.wire().equals(value)) {
        return Optional.of(policy);
      }
    }
    return Optional.empty();
  }
}
