package io.parley.auth;

import java.util.regex.Pattern;

/** User ids as PROTOCOL.md defines them: what a token's subject may be. */
public final class UserIds {
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9_.:-]{1,64}");

  private UserIds() {}

  public static boolean isValid(String id) {
    return id != null && ID.matcher(id).matches();
  }
}
