package io.parley.user;

import java.util.concurrent.CompletionStage;

/**
 * What an account keeps outside the entities: the key its content is sealed with, and the media
 * it uploaded. An erasure deletes them last, once every conversation has dropped the user, and
 * finishes only when this succeeded; repeating it must be harmless.
 */
@FunctionalInterface
public interface KeptElsewhere {
  CompletionStage<?> erase(String userId);
}
