// The Parley web client's UI. Protocol handling lives in parley-client.js; this file turns
// server events into the inbox and conversation views. Message content is never logged.
import { ParleyClient, directConversationId, newId } from "./parley-client.js";

const $ = (id) => document.getElementById(id);
const SESSION_KEY = "parley.session";
const DEVICE_KEY = "parley.deviceId";
const HISTORY_PAGE = 30;

const state = {
  me: null,
  client: null,
  inbox: new Map(), // conversation_id → inbox item
  current: null, // {id, title, members, messages: Map key → message, oldestSeq, hasMore, loading}
  receipts: new Map(), // conversation_id → {delivered, read}: highest seq others confirmed
  readSent: new Map(), // conversation_id → highest seq we marked read
  typingTimer: null,
  lastTypingSent: 0,
};

// ------------------------------------------------------------------------------ session

function deviceId() {
  let id = localStorage.getItem(DEVICE_KEY);
  if (!id) {
    id = "web-" + newId().slice(0, 8);
    localStorage.setItem(DEVICE_KEY, id);
  }
  return id;
}

function subjectOf(jwt) {
  const payload = jwt.split(".")[1] || "";
  return JSON.parse(atob(payload.replace(/-/g, "+").replace(/_/g, "/"))).sub;
}

async function signIn(event) {
  event.preventDefault();
  $("sign-in-error").textContent = "";
  const jwt = $("jwt").value.trim();
  const userId = $("user-id").value.trim();
  try {
    let token = jwt;
    if (!token) {
      const response = await fetch("/v1/dev/token", { method: "POST", body: JSON.stringify({ user_id: userId }) });
      const body = await response.json();
      if (!response.ok) throw new Error(response.status === 404 ? "Dev tokens are off here: paste a JWT." : body.message);
      token = body.token;
    }
    const session = { userId: subjectOf(token), token };
    localStorage.setItem(SESSION_KEY, JSON.stringify(session));
    start(session);
  } catch (error) {
    $("sign-in-error").textContent = error.message || "Could not sign in";
  }
}

function signOut() {
  state.client?.stop();
  localStorage.removeItem(SESSION_KEY);
  location.reload();
}

function start(session) {
  state.me = session.userId;
  $("me").textContent = session.userId;
  $("sign-in-view").hidden = true;
  $("chat-view").hidden = false;
  state.client = new ParleyClient({ token: session.token, deviceId: deviceId(), onEvent, onState: showConnection });
  state.client.start();
}

function showConnection(connection) {
  $("connection").textContent = connection;
  $("connection").dataset.state = connection;
}

// ------------------------------------------------------------------------------ server events

function onEvent(frame) {
  switch (frame.type) {
    case "hello":
      loadInbox();
      if (state.current) reloadConversation();
      break;
    case "msg.new":
      if (state.current?.id === frame.conversation_id) {
        addMessage(frame);
        renderMessages();
        markRead();
      }
      break;
    case "inbox.update":
      updateInbox(frame.item);
      break;
    case "msg.deleted": {
      const message = state.current?.id === frame.conversation_id && state.current.messages.get("seq:" + frame.seq);
      if (message) {
        message.content = "";
        message.content_type = "deleted";
        renderMessages();
      }
      break;
    }
    case "receipt": {
      const receipts = receiptsOf(frame.conversation_id);
      receipts[frame.status] = Math.max(receipts[frame.status], frame.seq);
      if (frame.status === "read") receipts.delivered = Math.max(receipts.delivered, frame.seq);
      if (state.current?.id === frame.conversation_id) renderMessages();
      break;
    }
    case "typing":
      if (state.current?.id === frame.conversation_id && frame.user_id !== state.me) showTyping(frame.user_id);
      break;
    case "presence":
      showPresence(frame);
      break;
    case "conversation.updated": {
      const item = state.inbox.get(frame.conversation_id);
      if (item) updateInbox({ ...item, title: frame.title, members: frame.members });
      else loadInbox();
      if (state.current?.id === frame.conversation_id) {
        state.current.title = frame.title;
        state.current.members = frame.members;
        $("conversation-title").textContent = frame.title;
      }
      break;
    }
  }
}

function receiptsOf(conversationId) {
  if (!state.receipts.has(conversationId)) state.receipts.set(conversationId, { delivered: 0, read: 0 });
  return state.receipts.get(conversationId);
}

// ------------------------------------------------------------------------------ inbox

async function loadInbox() {
  try {
    const reply = await state.client.request({ type: "inbox.get", limit: 200 });
    state.inbox = new Map(reply.items.map((item) => [item.conversation_id, item]));
    renderInbox();
  } catch {
    // Offline: the next hello reloads it.
  }
}

function updateInbox(item) {
  if (state.current?.id === item.conversation_id && document.visibilityState === "visible") {
    item = { ...item, unread_count: 0 };
  }
  state.inbox.set(item.conversation_id, item);
  renderInbox();
}

function renderInbox() {
  const items = [...state.inbox.values()].sort((a, b) => b.last_message_ts - a.last_message_ts);
  $("inbox").replaceChildren(...items.map((item) => {
    const li = document.createElement("li");
    li.className = "inbox-item";
    li.dataset.conversationId = item.conversation_id;
    li.tabIndex = 0;
    li.setAttribute("role", "button");
    if (state.current?.id === item.conversation_id) li.setAttribute("aria-current", "true");
    const title = span("title", item.title);
    const time = span("time", item.last_message_ts ? formatTime(item.last_message_ts) : "");
    const preview = span("preview", item.last_message_preview ?? "No messages yet");
    li.append(title, time, preview);
    if (item.unread_count > 0) {
      const badge = span("unread", String(item.unread_count));
      badge.setAttribute("aria-label", `${item.unread_count} unread`);
      li.append(badge);
    }
    const open = () => openConversation(item.conversation_id, item.title, item.members);
    li.addEventListener("click", open);
    li.addEventListener("keydown", (e) => (e.key === "Enter" || e.key === " ") && open());
    return li;
  }));
}

// ------------------------------------------------------------------------------ conversation

async function openConversation(id, title, members) {
  const previous = state.current;
  if (previous && previous.direct && previous.other) {
    state.client.fire({ type: "presence.unsubscribe", user_ids: [previous.other] });
  }
  const direct = id.startsWith("d:");
  const other = direct ? (members || []).find((m) => m !== state.me) : null;
  state.current = { id, title, members, direct, other, messages: new Map(), oldestSeq: null, hasMore: false, loading: false };
  $("conversation-title").textContent = title;
  $("presence").textContent = "";
  $("typing").textContent = "";
  $("conversation-pane").hidden = false;
  $("chat-view").classList.add("in-conversation");
  renderInbox();
  if (other) state.client.fire({ type: "presence.subscribe", user_ids: [other] });
  await reloadConversation();
  $("composer-input").focus();
}

async function reloadConversation() {
  const current = state.current;
  current.messages.forEach((m, key) => m.seq && current.messages.delete(key));
  current.oldestSeq = null;
  await loadOlder(true);
}

async function loadOlder(newest = false) {
  const current = state.current;
  if (current.loading || (!newest && !current.hasMore)) return;
  current.loading = true;
  try {
    const frame = { type: "history.get", conversation_id: current.id, limit: HISTORY_PAGE };
    if (!newest && current.oldestSeq) frame.before_seq = current.oldestSeq;
    const reply = await state.client.request(frame);
    if (state.current !== current) return;
    const list = $("messages");
    const heightBefore = list.scrollHeight;
    reply.messages.forEach(addMessage);
    current.hasMore = reply.has_more;
    renderMessages(newest);
    if (!newest) list.scrollTop = list.scrollHeight - heightBefore; // keep the reader's place
    markRead();
  } catch (error) {
    if (error.code === "not_member" || error.code === "not_found") current.hasMore = false;
  } finally {
    current.loading = false;
  }
}

/** Stores a message once, whether it came from history, msg.new or our own ack. */
function addMessage(message) {
  const current = state.current;
  if (message.client_msg_id && message.sender_id === state.me) current.messages.delete("local:" + message.client_msg_id);
  current.messages.set("seq:" + message.seq, message);
  if (current.oldestSeq === null || message.seq < current.oldestSeq) current.oldestSeq = message.seq;
}

async function send(event) {
  event.preventDefault();
  const input = $("composer-input");
  const content = input.value.trim();
  if (!content || !state.current) return;
  input.value = "";
  await sendContent(content, "text");
}

/** Uploads the chosen file, then sends its URL as a media message. */
async function attach() {
  const picker = $("composer-file");
  const file = picker.files[0];
  picker.value = "";
  if (!file || !state.current) return;
  let mediaUrl;
  try {
    mediaUrl = await state.client.uploadMedia(file);
  } catch (error) {
    alert("Could not upload " + file.name + ": " + error.message);
    return;
  }
  await sendContent(mediaUrl, "media");
}

async function sendContent(content, contentType) {
  const current = state.current;
  const clientMsgId = newId();
  current.messages.set("local:" + clientMsgId, {
    client_msg_id: clientMsgId, sender_id: state.me, content, content_type: contentType, server_ts: Date.now(), pending: true,
  });
  renderMessages(true);
  try {
    const ack = await state.client.sendMessage(current.id, content, clientMsgId, contentType);
    if (state.current === current && current.messages.has("local:" + clientMsgId)) {
      addMessage({ conversation_id: current.id, seq: ack.seq, message_id: ack.message_id, sender_id: state.me,
        client_msg_id: clientMsgId, content, content_type: contentType, server_ts: ack.server_ts });
      renderMessages();
    }
  } catch (error) {
    const failed = current.messages.get("local:" + clientMsgId);
    if (failed) failed.error = error.message;
    renderMessages();
  }
}

function renderMessages(scrollToEnd = false) {
  const current = state.current;
  const list = $("messages");
  const atEnd = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
  const messages = [...current.messages.values()].sort((a, b) => (a.seq ?? Infinity) - (b.seq ?? Infinity));
  const receipts = receiptsOf(current.id);
  list.replaceChildren(...messages.map((m) => {
    const li = document.createElement("li");
    const mine = m.sender_id === state.me;
    li.className = "message" + (mine ? " mine" : "");
    if (m.seq) li.dataset.seq = m.seq;
    if (!mine && !current.direct) li.append(span("sender", m.sender_id));
    li.append(m.content_type === "media" ? mediaView(m.content)
      : m.content_type === "deleted" ? span("content deleted", "This message was deleted")
      : span("content", m.content));
    const meta = span("meta", formatTime(m.server_ts) + " ");
    if (mine) meta.append(tick(m, receipts));
    li.append(meta);
    return li;
  }));
  if (scrollToEnd || atEnd) list.scrollTop = list.scrollHeight;
}

/** A media message: the picture when it is one, else a link to the file. */
function mediaView(mediaUrl) {
  const link = document.createElement("a");
  link.className = "content media";
  link.href = state.client.mediaHref(mediaUrl);
  link.target = "_blank";
  link.rel = "noopener";
  const picture = document.createElement("img");
  picture.alt = "";
  picture.src = link.href;
  picture.addEventListener("error", () => picture.replaceWith("📎 Media"));
  link.append(picture);
  return link;
}

function tick(message, receipts) {
  const [stateName, symbol, label] =
    message.error ? ["failed", "!", "not sent: " + message.error]
    : message.pending ? ["pending", "🕓", "sending"]
    : receipts.read >= message.seq ? ["read", "✓✓", "read"]
    : receipts.delivered >= message.seq ? ["delivered", "✓✓", "delivered"]
    : ["sent", "✓", "sent"];
  const el = span("tick", symbol);
  el.dataset.state = stateName;
  el.setAttribute("aria-label", label);
  el.title = label;
  return el;
}

/** Marks everything shown as read, once, while the conversation is visible. */
function markRead() {
  const current = state.current;
  if (!current || document.visibilityState !== "visible") return;
  const lastSeq = Math.max(0, ...[...current.messages.values()].map((m) => m.seq || 0));
  if (lastSeq > (state.readSent.get(current.id) || 0)) {
    state.readSent.set(current.id, lastSeq);
    state.client.fire({ type: "msg.read", conversation_id: current.id, seq: lastSeq });
  }
  const item = state.inbox.get(current.id);
  if (item && item.unread_count) updateInbox({ ...item, unread_count: 0 });
}

function onComposerInput() {
  const now = Date.now();
  if (state.current && now - state.lastTypingSent > 3000) {
    state.lastTypingSent = now;
    state.client.fire({ type: "typing", conversation_id: state.current.id });
  }
}

function showTyping(userId) {
  $("typing").textContent = `${userId} is typing…`;
  clearTimeout(state.typingTimer);
  state.typingTimer = setTimeout(() => ($("typing").textContent = ""), 4000);
}

function showPresence(frame) {
  if (!state.current || state.current.other !== frame.user_id) return;
  const presence = $("presence");
  presence.dataset.online = String(frame.status === "online");
  // No last_seen: the server does not tell this user's presence (they have not written to us yet), or
  // they never connected (only used the HTTP API): nothing to show either way.
  presence.textContent = frame.status === "online" ? "online"
    : frame.last_seen === undefined ? "" : `last seen ${formatTime(frame.last_seen)}`;
}

// ------------------------------------------------------------------------------ helpers

function span(className, text) {
  const el = document.createElement("span");
  el.className = className;
  el.textContent = text;
  return el;
}

function formatTime(ts) {
  if (!ts) return "never";
  const date = new Date(ts);
  const sameDay = date.toDateString() === new Date().toDateString();
  return sameDay ? date.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" }) : date.toLocaleDateString();
}

async function newChat(event) {
  event.preventDefault();
  const other = $("new-chat-user").value.trim();
  if (!other) return;
  $("new-chat-user").value = "";
  const id = directConversationId(state.me, other);
  const known = state.inbox.get(id);
  await openConversation(id, other, known?.members || [state.me, other].sort());
}

async function newGroup(event) {
  event.preventDefault();
  const members = $("group-members").value.split(",").map((m) => m.trim()).filter(Boolean);
  try {
    const created = await state.client.request({ type: "conversation.create", title: $("group-title").value.trim(), members });
    $("new-group").open = false;
    $("new-group-form").reset();
    await openConversation(created.conversation_id, created.title, created.members);
  } catch (error) {
    alert(`Could not create the group: ${error.message}`);
  }
}

function back() {
  $("chat-view").classList.remove("in-conversation");
  $("conversation-pane").hidden = true;
  state.current = null;
  renderInbox();
}

// ------------------------------------------------------------------------------ wiring

$("sign-in-form").addEventListener("submit", signIn);
$("sign-out").addEventListener("click", signOut);
$("new-chat-form").addEventListener("submit", newChat);
$("new-group-form").addEventListener("submit", newGroup);
$("composer").addEventListener("submit", send);
$("composer-file").addEventListener("change", attach);
$("composer-input").addEventListener("input", onComposerInput);
$("back").addEventListener("click", back);
$("messages").addEventListener("scroll", () => $("messages").scrollTop < 40 && state.current && loadOlder());
document.addEventListener("visibilitychange", markRead);

const saved = localStorage.getItem(SESSION_KEY);
if (saved) start(JSON.parse(saved));
else $("sign-in-view").hidden = false;
