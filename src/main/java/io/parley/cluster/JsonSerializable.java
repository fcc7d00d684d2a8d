package io.parley.cluster;

/**
 * Marker for everything that crosses an actor boundary or is persisted: commands, replies, events
 * and snapshots. Bound to Pekko's Jackson JSON serializer in application.conf.
 */
public interface JsonSerializable {}
