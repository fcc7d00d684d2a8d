package io.parley.conversation;

import java.time.Clock;

/** What every conversation of a node is wired to: the ports it tells, reads and writes through, its settings and clock. */
public record ConversationWiring(
    Recipients recipients,
    MessageReader reader,
    ColdArchive archive,
    DedupSpill dedupSpill,
    MemberIndex memberIndex,
    GroupMembers groupMembers,
    LiveGroups liveGroups,
    ConversationSettings settings,
    Clock clock) {}
