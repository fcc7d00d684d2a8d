package io.parley.store.model;

/** DescribeTable's answer: the declared schema and what the table holds now. */
public record TableInfo(TableSchema schema, long creationEpochMillis, long itemCount, long sizeBytes,
    String ttlAttribute, boolean ttlEnabled) {}
