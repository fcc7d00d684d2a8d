// The Parley protocol (docs/protocol.md) for browsers: one WebSocket per device that
// reconnects by itself, resumes from the last ack, and re-sends unacked messages with their
// original client_msg_id, so nothing is lost and nothing is stored twice. No UI in here.

const INITIAL_BACKOFF_MS = 500;
const MAX_BACKOFF_MS = 10_000;
const REQUEST_TIMEOUT_MS = 15_000;
const ACK_DELAY_MS = 150;

export function directConversationId(a, b) {
  return a <= b ? `d:${a}:${b}` : `d:${b}:${a}`;
}

export function newId() {
  return crypto.randomUUID();
}

export class ParleyClient {
  /**
   * @param {{token: string, deviceId: string, onEvent: (frame) => void, onState: (state) => void}} options
   *   onEvent gets every server push (msg.new, receipt, inbox.update, typing, presence, …);
   *   onState gets "connecting", "online" or "offline".
   */
  constructor({ token, deviceId, onEvent, onState }) {
    this.token = token;
    this.deviceId = deviceId;
    this.onEvent = onEvent;
    this.onState = onState;
    this.pending = new Map(); // req_id → {resolve, reject, timer}
    this.outbox = new Map(); // client_msg_id → msg.send frame, until acked
    this.highestCursor = 0;
    this.ackTimer = null;
    this.backoffMs = INITIAL_BACKOFF_MS;
    this.stopped = false;
    this.ws = null;
  }

  start() {
    this.stopped = false;
    this.connect();
  }

  stop() {
    this.stopped = true;
    if (this.ws) this.ws.close(1000, "bye");
  }

  connect() {
    this.onState("connecting");
    const url = new URL("/v1/ws", location.href);
    url.protocol = location.protocol === "https:" ? "wss:" : "ws:";
    url.searchParams.set("device_id", this.deviceId);
    url.searchParams.set("access_token", this.token);
    const ws = new WebSocket(url);
    this.ws = ws;
    ws.onmessage = (e) => this.receive(JSON.parse(e.data));
    ws.onclose = () => this.closed(ws);
  }

  closed(ws) {
    if (this.ws !== ws) return;
    this.ws = null;
    this.onState("offline");
    for (const { reject, timer } of this.pending.values()) {
      clearTimeout(timer);
      reject(new Error("disconnected"));
    }
    this.pending.clear();
    if (this.stopped) return;
    // Back off with jitter so that a restarted server is not stampeded.
    const delay = this.backoffMs * (0.5 + Math.random());
    this.backoffMs = Math.min(this.backoffMs * 2, MAX_BACKOFF_MS);
    setTimeout(() => this.connect(), delay);
  }

  receive(frame) {
    switch (frame.type) {
      case "hello":
        this.backoffMs = INITIAL_BACKOFF_MS;
        this.onState("online");
        this.onEvent(frame);
        // Anything sent before the connection dropped and not acked goes again, same id.
        for (const message of this.outbox.values()) this.sendOutboxEntry(message);
        return;
      case "receipt":
      case "msg.deleted":
        // Without a cursor: the answer to our own msg.delete, or a receipt from a server before
        // receipts were stored; neither is an item of the stream, so it needs no ack.
        if (frame.cursor === undefined) {
          if (!this.settle(frame)) this.onEvent(frame);
          return;
        }
      // falls through: with a cursor it is an item of the stream, like a message
      case "msg.new":
        // The server re-delivers everything after our last ack; a cursor we have seen is a repeat.
        if (frame.cursor <= this.highestCursor) return;
        this.highestCursor = frame.cursor;
        this.onEvent(frame);
        this.scheduleAck();
        return;
      case "server.draining":
        // Reconnect (to any node) after the server's hint; we resume from our last ack.
        this.backoffMs = Math.max(frame.reconnect_after_ms || 0, INITIAL_BACKOFF_MS);
        if (this.ws) this.ws.close(1000, "draining");
        return;
      default:
        if (!this.settle(frame)) this.onEvent(frame);
    }
  }

  /** Answers the request a frame replies to; false when it replies to none. */
  settle(frame) {
    if (!frame.req_id || !this.pending.has(frame.req_id)) return false;
    const { resolve, reject, timer } = this.pending.get(frame.req_id);
    clearTimeout(timer);
    this.pending.delete(frame.req_id);
    if (frame.type === "error") reject(Object.assign(new Error(frame.message), { code: frame.code, frame }));
    else resolve(frame);
    return true;
  }

  /** Acks are cumulative; one ack shortly after a burst covers all of it. */
  scheduleAck() {
    if (this.ackTimer) return;
    this.ackTimer = setTimeout(() => {
      this.ackTimer = null;
      this.fire({ type: "ack", cursor: this.highestCursor });
    }, ACK_DELAY_MS);
  }

  /** Sends a frame that has no reply on success (ack, typing, msg.read, …). */
  fire(frame) {
    if (this.ws && this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(frame));
  }

  /** Sends a frame and resolves with its reply (rejects with the error frame's code). */
  request(frame) {
    return new Promise((resolve, reject) => {
      if (!this.ws || this.ws.readyState !== WebSocket.OPEN) {
        reject(new Error("not connected"));
        return;
      }
      const reqId = newId();
      const timer = setTimeout(() => {
        this.pending.delete(reqId);
        reject(new Error("timed out"));
      }, REQUEST_TIMEOUT_MS);
      this.pending.set(reqId, { resolve, reject, timer });
      this.ws.send(JSON.stringify({ ...frame, req_id: reqId }));
    });
  }

  /**
   * Sends a message; resolves with its msg.ack. Until acked it stays in the outbox and is sent
   * again after every reconnect with the same client_msg_id, which the server deduplicates.
   */
  sendMessage(conversationId, content, clientMsgId = newId(), contentType = "text") {
    const frame = { type: "msg.send", conversation_id: conversationId, client_msg_id: clientMsgId, content, content_type: contentType };
    return new Promise((resolve, reject) => {
      this.outbox.set(clientMsgId, { frame, resolve, reject });
      this.sendOutboxEntry(this.outbox.get(clientMsgId));
    });
  }

  /**
   * Uploads a file (POST /v1/media); resolves with its media_url, which a message with
   * content_type "media" then carries.
   */
  async uploadMedia(file) {
    const response = await fetch("/v1/media", {
      method: "POST",
      headers: { Authorization: "Bearer " + this.token, "Content-Type": file.type || "application/octet-stream" },
      body: file,
    });
    const body = await response.json();
    if (!response.ok) throw Object.assign(new Error(body.message), { code: body.code });
    return body.media_url;
  }

  /** A media URL an <img> or link can fetch: the token goes in the query, as for the WebSocket. */
  mediaHref(mediaUrl) {
    return mediaUrl + "?access_token=" + encodeURIComponent(this.token);
  }

  sendOutboxEntry(entry) {
    this.request(entry.frame).then(
      (ack) => {
        this.outbox.delete(entry.frame.client_msg_id);
        entry.resolve(ack);
      },
      (error) => {
        // Connection trouble and `unavailable` are retried; other errors are final.
        if (error.code && error.code !== "unavailable") {
          this.outbox.delete(entry.frame.client_msg_id);
          entry.reject(error);
        } else if (error.code === "unavailable") {
          setTimeout(() => this.outbox.has(entry.frame.client_msg_id) && this.sendOutboxEntry(entry), 1000);
        }
      });
  }
}
