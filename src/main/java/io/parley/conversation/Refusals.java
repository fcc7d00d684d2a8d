package io.parley.conversation;

import io.parley.cluster.Outcome;
import io.parley.conversation.ConversationActor.Answered;
import io.parley.conversation.ConversationActor.Command;
import org.apache.pekko.actor.typed.ActorRef;

/** Answers a command that cannot be handled now with a refusal, whatever it would have answered. */
final class Refusals {
  private Refusals() {}

  /** Commands that answer nobody (receipts, typing from a node of an earlier version) are dropped. */
  @SuppressWarnings({"unchecked", "rawtypes"})
  static void refuse(Command cmd, Outcome<?> refusal) {
    if (cmd instanceof Answered answered && answered.replyTo() != null) {
      ((ActorRef) answered.replyTo()).tell(refusal);
    }
  }
}
