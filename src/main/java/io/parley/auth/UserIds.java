package io.parley.auth;

import java.util.regex.Pattern;

/**
 * User ids as PROTOCOL.md defines them ("user ids and conversation ids: 1–64 chars of
 * [A-Za-z0-9_.:-]"): what a token's subject may be, whom a request may name, and the grammar
 * conversation ids share ({@code conversation.ConversationIds}).
 */
public final class UserIds {
  /** The grammar of both kinds of id, as error messages state it. */
  public static final String GRAMMAR = "1–64 characters of [A-Za-z0-9_.:-]";
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9_.:-]{1,64}");

  private UserIds() {}

  public static boolean isValid(String id) {
    return id != null && ID.matcher(id).matches();
  }
}
