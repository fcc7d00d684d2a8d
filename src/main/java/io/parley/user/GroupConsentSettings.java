package io.parley.user;

import com.typesafe.config.Config;

/**
 * {@code parley.groups}: who may add a user to groups until they choose ({@code adds-by-default};
 * empty is {@code contacts}, or {@code everyone} on a node with dev tokens, where anyone may get a
 * token for any user and accept any invite, so asking protects no one), and how many groups one
 * user may create and how many members they may add (or invite) a day.
 */
public record GroupConsentSettings(GroupAddPolicy byDefault, int groupsPerDay, int membersPerDay) {

  /** The defaults of a production node, for settings made in code. */
  public static final GroupConsentSettings DEFAULT = new GroupConsentSettings(GroupAddPolicy.CONTACTS, 2000, 5000);

  public GroupConsentSettings {
    if (groupsPerDay < 1 || membersPerDay < 1) {
      throw new IllegalArgumentException("parley.groups: the daily limits must be at least 1");
    }
  }

  /** {@code devTokens}: whether the node issues dev tokens (which decides the empty default). */
  public static GroupConsentSettings from(Config config, boolean devTokens) {
    Config c = config.getConfig("parley.groups");
    String chosen = c.getString("adds-by-default").trim();
    GroupAddPolicy byDefault = chosen.isEmpty()
        ? (devTokens ? GroupAddPolicy.EVERYONE : GroupAddPolicy.CONTACTS)
        : GroupAddPolicy.parse(chosen).orElseThrow(() -> new IllegalArgumentException(
            "PARLEY_GROUP_ADDS_DEFAULT (parley.groups.adds-by-default) must be everyone, contacts or nobody, not \""
                + chosen + "\""));
    return new GroupConsentSettings(byDefault, c.getInt("created-per-day"), c.getInt("members-added-per-day"));
  }
}
