package io.parley.gateway.session;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.parley.gateway.WireFormat;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

/**
 * Where a {@link Connection} writes its frames: the socket's outbound buffer, once the socket is
 * attached (frames before that wait here). It counts its frames the socket has not taken yet, and
 * hears from the socket when their bytes are too many, so that a re-delivery reads more only
 * while the client keeps up.
 */
public final class SocketOutput {
  /** What the outbound side of the socket is told: a frame to send, or to finish. */
  public sealed interface Outbound {}

  /**
   * A text frame. {@code hello}: it is the connection's hello, which the replies to the client's
   * requests wait for (the socket holds them until it comes).
   */
  public record Text(String json, boolean hello) implements Outbound {
    public Text(String json) {
      this(json, false);
    }
  }

  /** A frame whose content is being opened (its sender's key is being read); see {@link #send(CompletionStage)}. */
  public record Opening(CompletionStage<String> json) implements Outbound {}

  public record Complete() implements Outbound {}

  /** Closes the socket now with {@code code}, ahead of the frames waiting. */
  public record Close(int code, String reason) implements Outbound {
    /** RFC 6455's close code for a peer that broke the server's policy. */
    public static final int POLICY_VIOLATION = 1008;
  }

  /** Frames that wait for a slow socket at most (the socket's bound, told here so the session sees it). */
  public static final int OUTBOUND_BUFFER = 4096;

  /** A replay reads more pages only while fewer frames than this wait for the socket. */
  static final int ROOM = OUTBOUND_BUFFER / 4;

  private final List<Outbound> beforeAttach = new ArrayList<>();
  private Consumer<Outbound> outbound;
  /** Text frames handed to the socket's outbound buffer, and those it has taken from it. */
  private long framesEmitted;
  private long framesWritten;
  /** More bytes wait for the socket than it should be given (see {@link Connection.Backlog}). */
  private boolean behind;

  void attach(Consumer<Outbound> socket) {
    outbound = socket;
    beforeAttach.forEach(outbound);
    beforeAttach.clear();
  }

  void send(ObjectNode frame) {
    emit(new Text(WireFormat.render(frame)));
  }

  /** The connection's hello: the replies held for it follow it. */
  void hello(ObjectNode frame) {
    emit(new Text(WireFormat.render(frame), true));
  }

  /** A frame still being made (its content opened): it goes out in its turn once made. */
  void send(CompletionStage<ObjectNode> frame) {
    CompletableFuture<ObjectNode> making = frame.toCompletableFuture();
    if (making.isDone() && !making.isCompletedExceptionally()) {
      send(making.join());
    } else {
      emit(new Opening(making.thenApply(WireFormat::render)));
    }
  }

  /** Closes the socket once the frames before it are written. */
  void complete() {
    emit(new Complete());
  }

  void emit(Outbound frame) {
    if (frame instanceof Text || frame instanceof Opening) {
      framesEmitted++;
    }
    if (outbound == null) {
      beforeAttach.add(frame);
    } else {
      outbound.accept(frame);
    }
  }

  /** The socket took a frame from its buffer. */
  void written() {
    framesWritten++;
  }

  void behind(boolean outputBehind) {
    behind = outputBehind;
  }

  boolean hasRoom() {
    return !behind && framesEmitted - framesWritten < ROOM;
  }
}
