package io.parley.push;

import io.parley.cluster.JsonSerializable;

/** A device's push address: {@code platform} is "apns" or "fcm". */
public record PushToken(String platform, String token) implements JsonSerializable {}
