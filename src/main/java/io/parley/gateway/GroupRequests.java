package io.parley.gateway;

import io.parley.api.ApiError;
import io.parley.auth.UserIds;
import io.parley.cluster.Done;
import io.parley.cluster.Outcome;
import io.parley.conversation.ConversationActor;
import io.parley.conversation.ConversationIds;
import io.parley.conversation.ConversationInfo;
import io.parley.conversation.NeverStored;
import io.parley.limits.RateLimits;
import io.parley.privacy.ContentSealing;
import io.parley.user.AllowanceKind;
import io.parley.user.DeviceEvent;
import io.parley.user.GroupAddPolicy;
import io.parley.user.GroupConsent;
import io.parley.user.UserActor;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * A client's requests about groups: creating one, adding (or inviting) and removing members,
 * renaming it, roles and posting, member lists, invites and who may add the user. Validated here,
 * counted against the user's allowances, asked of the group only if it was ever stored
 * ({@link ConversationGate}).
 */
public final class GroupRequests {
  public static final int DEFAULT_MEMBERS_LIMIT = 100;
  public static final int MAX_MEMBERS_LIMIT = 1000;
  static final int MAX_TITLE_CHARS = 200;

  private final ChatService chat;
  private final Entities entities;
  private final RateLimits limits;
  private final ConversationGate gate;
  private final ContentSealing sealing;
  private final GroupAdds groupAdds;

  GroupRequests(ChatService chat, Entities entities, RateLimits limits, ConversationGate gate, ContentSealing sealing,
      GroupAdds groupAdds) {
    this.chat = chat;
    this.entities = entities;
    this.limits = limits;
    this.gate = gate;
    this.sealing = sealing;
    this.groupAdds = groupAdds;
  }

  /**
   * A title is 1–200 characters (code points: an emoji is one, as a user counts it), none that
   * breaks a line or that no one sees ({@link #refusedInTitle}), and at least one that shows
   * ({@link #blank}).
   */
  static void checkTitle(String title) {
    if (title == null || title.isEmpty() || title.codePointCount(0, title.length()) > MAX_TITLE_CHARS) {
      throw ApiError.badRequest("title must be 1–" + MAX_TITLE_CHARS + " characters");
    }
    title.codePoints().filter(GroupRequests::refusedInTitle).findFirst().ifPresent(c -> {
      throw ApiError.badRequest(String.format("title must not hold U+%04X: no control, format (invisible) or"
          + " line-breaking characters", c));
    });
    if (title.codePoints().allMatch(GroupRequests::blank)) {
      throw ApiError.badRequest("title must hold a visible character");
    }
  }

  /**
   * Characters that show nothing by themselves: spaces of any kind (String.isBlank knows only
   * Java's whitespace, not U+00A0, U+2007, U+202F), the format characters a title keeps, combining
   * marks (the variation selectors and the grapheme joiner among them), which show only on a
   * character before them, Unicode's noncharacters, which are never assigned, and the letters and
   * symbols fonts draw empty (Hangul fillers, the braille blank, the musical null notehead), which
   * pass for a space. Code points this Java's Unicode version has not assigned are not blank:
   * clients know later versions, whose emoji among them.
   */
  static boolean blank(int c) {
    return Character.isWhitespace(c) || Character.isSpaceChar(c) || switch (Character.getType(c)) {
      case Character.FORMAT, Character.NON_SPACING_MARK, Character.ENCLOSING_MARK,
          Character.COMBINING_SPACING_MARK -> true;
      default -> false;
    }
        || (c >= 0xFDD0 && c <= 0xFDEF) || (c & 0xFFFE) == 0xFFFE // noncharacters
        || c == 0x115F || c == 0x1160 || c == 0x3164 || c == 0xFFA0 // Hangul fillers
        || c == 0x2800 || c == 0x1D159;
  }

  /**
   * Control characters (Cc), line and paragraph separators (Zl, Zp) and format characters (Cf),
   * which are invisible and can reorder what is shown around them (U+202E) or hide in it (U+200B):
   * a title is one line every member reads alike. Kept are the format characters that emoji and
   * scripts need: the joiners (U+200C, U+200D), the direction marks right-to-left keyboards type
   * (U+200E, U+200F, U+061C: they order nothing but the neutral characters beside them) and the
   * tags of subdivision flags (U+E0020–U+E007F).
   */
  static boolean refusedInTitle(int c) {
    return switch (Character.getType(c)) {
      case Character.CONTROL, Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR -> true;
      case Character.FORMAT -> !(c >= 0x200C && c <= 0x200F) && c != 0x061C && (c < 0xE0020 || c > 0xE007F);
      default -> false;
    };
  }

  /**
   * Creates a group with the members who may be added directly; the others are invited
   * ({@link GroupAdds}). The group keeps its title sealed with the creator's key ({@link ContentSealing#sealTitle}).
   */
  public CompletionStage<GroupAdds.Added<ConversationInfo>> createGroup(
      String userId, String title, List<String> members) {
    checkTitle(title);
    requireUserIds(members);
    String conversationId = ConversationIds.newGroupId();
    return limits.acquire(AllowanceKind.GROUP_CHANGES, userId)
        .thenCompose(allowed -> sealing.sealTitle(userId, conversationId, title))
        .thenCompose(sealedTitle -> groupAdds.add(userId, conversationId, true, members,
            direct -> chat.ask(entities.conversation(conversationId), (ActorRef<Outcome<ConversationInfo>> replyTo) ->
                new ConversationActor.Create(userId, sealedTitle, direct, replyTo)).thenApply(info -> {
                  gate.remember(info.conversationId());
                  return info;
                }),
            ConversationInfo::title))
        .thenApply(added -> new GroupAdds.Added<>(added.value().withTitle(title), added.invited()));
  }

  /** Adds the members who may be added directly; the others are invited ({@link GroupAdds}). */
  public CompletionStage<GroupAdds.Added<Done>> addMembers(String userId, String conversationId, List<String> members) {
    requireSomeone(members);
    ChatService.requireConversationId(conversationId);
    // An addition of no one first: it is refused (not_member, forbidden, not_found) as the real one
    // would be, before the quota is spent or anyone's entity is asked.
    return limits.acquire(AllowanceKind.GROUP_CHANGES, userId)
        .thenCompose(allowed -> gate.ifStored(conversationId,
            () -> chat.ask(entities.conversation(conversationId),
                (ActorRef<Outcome<Done>> replyTo) -> new ConversationActor.AddMembers(userId, List.of(), replyTo)),
            () -> NeverStored.<Done>notFound(conversationId)))
        .thenCompose(mayAdd -> groupAdds.add(
            userId, conversationId, false, members,
            direct -> chat.ask(entities.conversation(conversationId),
                (ActorRef<Outcome<Done>> replyTo) -> new ConversationActor.AddMembers(userId, direct, replyTo)),
            done -> null));
  }

  /** The user's invites to groups, oldest first. */
  public CompletionStage<List<GroupConsent.Invite>> invites(String userId) {
    return groupAdds.invites(userId).thenCompose(sealing::openInvites);
  }

  /**
   * Accepts (joins the group) or declines the user's invite to {@code conversationId}. Every
   * device of the user is told once it is answered: the others still show the invite.
   */
  public CompletionStage<GroupConsent.Invite> answerInvite(String userId, String conversationId, boolean accept) {
    ChatService.requireConversationId(conversationId);
    return limits.acquire(AllowanceKind.GROUP_CHANGES, userId)
        .thenCompose(allowed -> groupAdds.answer(userId, conversationId, accept))
        .thenApply(invite -> {
          entities.user(userId).tell(new UserActor.Notify(new DeviceEvent.InviteAnswered(conversationId, accept)));
          return invite;
        })
        .thenCompose(sealing::open);
  }

  /**
   * Who may add the user to groups: {@code groupAdds} chooses (null only asks); answers the policy
   * in force. A choice may be stored, so it counts as a group change; asking is not counted.
   */
  public CompletionStage<GroupAddPolicy> groupAddPolicy(String userId, String groupAdds) {
    GroupAddPolicy chosen = groupAdds == null ? null : GroupAddPolicy.parse(groupAdds)
        .orElseThrow(() -> ApiError.badRequest("group_adds must be \"everyone\", \"contacts\" or \"nobody\""));
    if (chosen == null) {
      return this.groupAdds.choose(userId, null);
    }
    return limits.acquire(AllowanceKind.GROUP_CHANGES, userId)
        .thenCompose(allowed -> this.groupAdds.choose(userId, chosen));
  }

  /** A page of the members with their roles, for a member (an extension of PROTOCOL.md, see README). */
  public CompletionStage<ConversationActor.MemberPage> members(
      String userId, String conversationId, String after, Integer limit) {
    ChatService.requireConversationId(conversationId);
    int n = ChatService.limit(limit, DEFAULT_MEMBERS_LIMIT, MAX_MEMBERS_LIMIT);
    // A large group's page is a store query keyed by it, which DynamoDB refuses for an empty key:
    // that would be "unavailable; retry" for ever. Empty is no start (as ?after= reads).
    String from = after == null || after.isEmpty() ? null : after;
    if (from != null && !UserIds.isValid(from)) {
      throw ApiError.badRequest("after must be a user id (" + UserIds.GRAMMAR + "), the next_after of the page before");
    }
    return limits.acquire(AllowanceKind.READS, userId).thenCompose(allowed -> gate.ifMember(userId, conversationId,
        () -> chat.ask(entities.conversation(conversationId),
            replyTo -> new ConversationActor.GetMembers(userId, from, n, replyTo)),
        () -> NeverStored.members(conversationId, userId, from, n)));
  }

  /**
   * An owner or admin removes members (an extension of PROTOCOL.md, see README), and revokes the
   * invites to the group of those named: someone only invited can no longer join by it.
   */
  public CompletionStage<Done> removeMembers(String userId, String conversationId, List<String> members) {
    requireSomeone(members);
    return groupChange(userId, conversationId,
        replyTo -> new ConversationActor.RemoveMembers(userId, members, replyTo))
        .thenCompose(removed -> groupAdds.revoke(conversationId, members));
  }

  /**
   * An owner or admin renames a group (an extension of PROTOCOL.md): the title is checked as at
   * creation and sealed with the renamer's key. The title the group has already (a retry) is sealed
   * anew by no one and changes nothing, but is refused to whoever may not rename it.
   */
  public CompletionStage<Done> rename(String userId, String conversationId, String title) {
    ChatService.requireConversationId(conversationId);
    checkTitle(title);
    return limits.acquire(AllowanceKind.GROUP_CHANGES, userId)
        .thenCompose(allowed -> gate.ifStored(conversationId,
            () -> chat.ask(entities.conversation(conversationId),
                    (ActorRef<Outcome<ConversationInfo>> replyTo) -> new ConversationActor.GetInfo(userId, replyTo))
                .thenCompose(sealing::open)
                .thenCompose(info -> title.equals(info.title())
                    ? CompletableFuture.<String>completedFuture(null)
                    : sealing.sealTitle(userId, conversationId, title))
                .thenCompose(sealed -> chat.ask(entities.conversation(conversationId),
                    (ActorRef<Outcome<Done>> replyTo) -> new ConversationActor.Rename(userId, sealed, replyTo))),
            () -> NeverStored.<Done>notFound(conversationId)));
  }

  /** The owner names an admin ({@code role} "admin") or takes it back ("member"). */
  public CompletionStage<Done> setRole(String userId, String conversationId, String memberId, String role) {
    requireUserIds(List.of(memberId));
    if (!role.equals("admin") && !role.equals("member")) {
      throw ApiError.badRequest("role must be \"admin\" or \"member\"");
    }
    return groupChange(userId, conversationId,
        replyTo -> new ConversationActor.SetRole(userId, memberId, role.equals("admin"), replyTo));
  }

  /** Who may post: "admins" (an announcement channel) or "everyone". */
  public CompletionStage<Done> setPosting(String userId, String conversationId, String posting) {
    if (!posting.equals("admins") && !posting.equals("everyone")) {
      throw ApiError.badRequest("posting must be \"admins\" or \"everyone\"");
    }
    return groupChange(userId, conversationId,
        replyTo -> new ConversationActor.SetPosting(userId, posting.equals("admins"), replyTo));
  }

  /** A change to a group: counted against the user's group-change allowance, then asked of the group. */
  private CompletionStage<Done> groupChange(String userId, String conversationId,
      java.util.function.Function<ActorRef<Outcome<Done>>, ConversationActor.Command> command) {
    ChatService.requireConversationId(conversationId);
    return limits.acquire(AllowanceKind.GROUP_CHANGES, userId)
        .thenCompose(allowed -> gate.ifStored(conversationId,
            () -> chat.ask(entities.conversation(conversationId), command::apply),
            () -> NeverStored.notFound(conversationId)));
  }


  /** At most this many user ids in one membership request. */
  static final int MAX_IDS_PER_REQUEST = 1000;

  /** A change of members names at least one: an empty list is a client's mistake, not a no-op. */
  private static void requireSomeone(List<String> userIds) {
    requireUserIds(userIds);
    if (userIds.isEmpty()) {
      throw ApiError.badRequest("members must name at least one user");
    }
  }

  private static void requireUserIds(List<String> userIds) {
    if (userIds == null || !userIds.stream().allMatch(UserIds::isValid)) {
      throw ApiError.badRequest("members must be a list of user ids (" + UserIds.GRAMMAR + ")");
    }
    if (userIds.size() > MAX_IDS_PER_REQUEST) {
      throw ApiError.badRequest("at most " + MAX_IDS_PER_REQUEST + " members per request; send the rest in another");
    }
  }
}
