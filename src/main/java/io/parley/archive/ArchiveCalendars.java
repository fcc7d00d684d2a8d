package io.parley.archive;

import org.apache.pekko.actor.typed.RecipientRef;

/** How a page of the archive calendar is reached (cluster sharding in the server, probes in tests). */
@FunctionalInterface
public interface ArchiveCalendars {
  RecipientRef<ArchiveCalendar.Command> archiveCalendar(String pageId);
}
