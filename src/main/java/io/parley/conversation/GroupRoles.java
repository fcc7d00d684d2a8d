package io.parley.conversation;

import io.parley.cluster.JsonSerializable;
import java.util.List;

/**
 * Who runs a group: its {@code owner} (the creator, until they leave), its {@code admins}, and
 * whether only they may post (an announcement channel). Owners and admins add and remove members;
 * the owner names admins. Groups created before roles existed have none: there every member may
 * do what an admin does, as before.
 */
public record GroupRoles(String owner, List<String> admins, boolean adminsOnlyPosting) implements JsonSerializable {}
