// Geppetto protocol inspector: speaks to the Geppetto WebSocket exactly as the frontend does
// (org.geppetto.frontend MessageSocket.js) and shows every frame both ways.
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("inspector-config").textContent);
  // Messages this long are shown folded and without colouring, to keep the page responsive.
  var FOLD_CHARS = 4000;
  var HIGHLIGHT_CHARS = 200000;
  var SHOW_CHARS = 1000000;
  // The oldest messages leave the list past this many, so a long session stays fast.
  var MAX_ENTRIES = 3000;
  // Example data for the requests the frontend sends most (the protocol reference, linked in
  // the top bar: /_geppetto/inspector/protocol); null otherwise.
  var EXAMPLES = {
    load_project_from_url: "https://example.org/project.json",
    load_project_from_id: { projectId: 1, experimentId: 1 },
    load_project_from_content: "{}",
    fetch_variable: { projectId: 1, variableId: "", dataSourceId: "" },
    resolve_import_type: { projectId: 1, paths: [] },
    resolve_import_value: { projectId: 1, experimentId: 1, path: "" },
    load_experiment: { projectId: 1, experimentId: 1 },
    run_experiment: { projectId: 1, experimentId: 1 },
    experiment_status: "1",
    reconnect: { connectionID: "" }
  };

  var el = function (id) { return document.getElementById(id); };
  var ui = {
    status: el("status"), url: el("ws-url"), clientId: el("client-id"), reconnect: el("reconnect"),
    types: el("message-types"), typesCount: el("types-count"), typeOptions: el("type-options"),
    downloads: el("downloads"), downloadsCount: el("downloads-count"),
    form: el("composer"), type: el("send-type"), data: el("send-data"), raw: el("send-raw"),
    send: el("send"), nextId: el("next-id"),
    filter: el("filter"), showIn: el("show-in"), showOut: el("show-out"), follow: el("follow"),
    counts: el("counts"), clear: el("clear"), log: el("log")
  };

  var socket = null;
  var clientID = null;   // as in the frontend: null until client_id arrives, so "null-0" is normal
  var nextID = 0;
  var seq = 0;
  var entries = [];      // every listed message, for filtering and counts
  var requests = {};     // requestID -> outgoing entry, to match replies
  var pings = 0;
  var downloads = 0;
  var retryDelay = 500;
  var connections = 0;
  var closedNote = null;
  var failedAttempts = 0;
  var retryTimer = null;
  var inbound = Promise.resolve();  // gzip decoding is async; keep frames in arrival order
  var lastExample = "";

  // Connection ---------------------------------------------------------------------------------

  function socketUrl() {
    var protocol = window.location.protocol === "https:" ? "wss://" : "ws://";
    var context = config.contextPath;
    if (!context || context === "/") {
      return protocol + window.location.host + "/GeppettoServlet";
    }
    return protocol + window.location.host + "/" + context + "/GeppettoServlet";
  }

  function setState(state, text) {
    ui.status.dataset.state = state;
    ui.status.textContent = text || state;
    ui.send.disabled = state !== "open";
  }

  function connect() {
    clearTimeout(retryTimer);
    if (socket) {
      socket.onclose = null;
      socket.close();
    }
    var url = socketUrl();
    ui.url.textContent = url;
    setState("connecting");
    setClientID(null);
    var ws = new WebSocket(url);
    ws.binaryType = "arraybuffer";
    socket = ws;
    ws.onopen = function () {
      retryDelay = 500;
      setState("open");
      addNote("connected to " + url);
      if (connections++) { loadTypes(); }  // a restarted server may handle other types now
    };
    ws.onmessage = function (event) {
      var received = new Date();
      var payload = event.data;
      if (payload === "ping") {  // keep-alive, ignored by the frontend too
        pings++;
        updateCounts();
        return;
      }
      inbound = inbound.then(function () {
        return readFrame(payload, received);
      }).catch(function (err) {
        addNote("could not read a frame: " + err, "error");
      });
    };
    ws.onclose = function (event) {
      if (socket !== ws) { return; }
      var seconds = retryDelay / 1000;
      var text = "connection closed (code " + event.code + ")" +
        (event.reason ? ": " + event.reason : "") + "; reconnecting in " + seconds + " s";
      setState("closed", "closed");
      // While the server stays down, one note counts the attempts instead of one per attempt.
      if (closedNote && closedNote === ui.log.lastElementChild) {
        failedAttempts++;
        closedNote.lastChild.textContent = text + " (attempt " + failedAttempts + ")";
      } else {
        failedAttempts = 1;
        closedNote = addNote(text, "warning");
      }
      retryTimer = setTimeout(connect, retryDelay);
      retryDelay = Math.min(retryDelay * 2, 5000);
    };
  }

  function setClientID(id) {
    clientID = id;
    ui.clientId.textContent = id === null ? "\u2013" : id;
    ui.nextId.textContent = "next requestID " + clientID + "-" + nextID;
  }

  // Inbound frames -------------------------------------------------------------------------------

  function readFrame(payload, received) {
    if (typeof payload === "string") {
      showInbound(payload, received, { kind: "text", bytes: byteLength(payload) });
      return null;
    }
    var bytes = new Uint8Array(payload);
    if (bytes.length > 0 && bytes[0] === 0) {
      return gunzip(bytes.subarray(1)).then(function (text) {
        showInbound(text, received, { kind: "gzip", bytes: bytes.length, text: byteLength(text) });
      });
    }
    showFile(bytes, received);
    return null;
  }

  function gunzip(bytes) {
    var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
    return new Response(stream).text();
  }

  function showInbound(text, received, frame) {
    var envelope;
    try {
      envelope = JSON.parse(text);
    } catch (err) {
      addEntry({ direction: "in", type: "(not JSON)", requestID: null, raw: text, value: text,
        frame: frame, time: received, error: true });
      return;
    }
    var value = unwrap(envelope.data);
    var entry = addEntry({
      direction: "in", type: String(envelope.type), requestID: envelope.requestID,
      raw: text, value: value, frame: frame, time: received,
      error: isError(envelope.type)
    });
    if (envelope.type === "client_id" && value && typeof value === "object") {
      setClientID(value.clientID == null ? null : String(value.clientID));
    }
    var answered = envelope.requestID != null ? envelope.requestID
      : errorRequestID(envelope.type, value);
    var request = answered != null ? requests[answered] : undefined;
    if (request) { linkReply(request, entry); }
  }

  // An unknown type's generic_error has no requestID (as the Java server sent it, so the
  // 0.3.8 client does not take it for the reply); the error's id names the request.
  function errorRequestID(type, value) {
    var error = type === "generic_error" && value ? value.message : null;
    if (!error || typeof error !== "object" || error.id == null) { return null; }
    return String(error.id);
  }

  function showFile(bytes, received) {
    var nameLength = bytes[1] || 0;
    var name = new TextDecoder().decode(bytes.subarray(2, 2 + nameLength)) || "download";
    var content = bytes.slice(2 + nameLength);
    var href = URL.createObjectURL(new Blob([content]));
    var entry = addEntry({
      direction: "in", type: "(file)", requestID: null, time: received,
      raw: "file frame: first byte 0x" + bytes[0].toString(16).padStart(2, "0") +
        ", name " + JSON.stringify(name) + ", " + content.length + " bytes of content",
      value: filePreview(name, content),
      frame: { kind: "file", bytes: bytes.length }
    });
    var link = document.createElement("a");
    link.href = href;
    link.download = name;
    link.textContent = "download " + name;
    entry.reply.parentNode.insertBefore(link, entry.reply);
    if (downloads === 0) { ui.downloads.textContent = ""; }
    downloads++;
    ui.downloadsCount.textContent = String(downloads);
    var item = document.createElement("li");
    var itemLink = link.cloneNode(true);
    itemLink.textContent = name;
    item.appendChild(itemLink);
    item.appendChild(span("size", formatBytes(content.length)));
    ui.downloads.appendChild(item);
  }

  function filePreview(name, content) {
    var value = { file: name, bytes: content.length };
    if (content.length <= 4096) {
      try {
        value.text = new TextDecoder("utf-8", { fatal: true }).decode(content);
      } catch (err) {
        // binary content: name and size only
      }
    }
    return value;
  }

  // The server JSON-encodes `data`, and often the values inside it again: decode every level.
  function unwrap(value) {
    if (typeof value === "string") {
      var trimmed = value.trim();
      var first = trimmed.charAt(0);
      if (first === "{" || first === "[" || trimmed === "null") {
        try {
          return unwrap(JSON.parse(trimmed));
        } catch (err) {
          return value;
        }
      }
      return value;
    }
    if (Array.isArray(value)) { return value.map(unwrap); }
    if (value && typeof value === "object") {
      var out = {};
      Object.keys(value).forEach(function (key) { out[key] = unwrap(value[key]); });
      return out;
    }
    return value;
  }

  function isError(type) {
    return type === "generic_error" || /^error/.test(type) || /_error$/.test(type);
  }

  // Outbound -----------------------------------------------------------------------------------

  function send(event) {
    event.preventDefault();
    if (!socket || socket.readyState !== WebSocket.OPEN) { return; }
    var text = ui.data.value;
    if (ui.raw.checked) {
      socket.send(text);
      addEntry({ direction: "out", type: "(raw frame)", requestID: null, raw: text,
        value: parseOr(text, text), frame: { kind: "text", bytes: byteLength(text) },
        time: new Date(), form: { type: ui.type.value, data: text, raw: true } });
      return;
    }
    var type = ui.type.value.trim();
    if (!type) {
      ui.type.focus();
      ui.type.classList.add("invalid");
      return;
    }
    ui.type.classList.remove("invalid");
    // The frontend's messageTemplate: a string goes as-is, anything else JSON-encoded.
    var payload = text.trim() === "" ? null : parseOr(text, text);
    if (typeof payload !== "string") { payload = JSON.stringify(payload); }
    var requestID = clientID + "-" + (nextID++);
    setClientID(clientID);
    var frame = JSON.stringify({ requestID: requestID, type: type, data: payload });
    socket.send(frame);
    var entry = addEntry({ direction: "out", type: type, requestID: requestID, raw: frame,
      value: unwrap(payload), frame: { kind: "text", bytes: byteLength(frame) },
      time: new Date(), form: { type: type, data: text, raw: false } });
    requests[requestID] = entry;
    entry.node.classList.add("pending");
    entry.reply.textContent = "awaiting reply";
  }

  function parseOr(text, fallback) {
    try {
      return JSON.parse(text);
    } catch (err) {
      return fallback;
    }
  }

  function linkReply(request, reply) {
    var ms = Math.round(reply.time - request.time);
    request.node.classList.remove("pending");
    request.replies.push(reply);
    request.reply.textContent = "";
    request.replies.forEach(function (r, i) {
      request.reply.appendChild(document.createTextNode(i ? ", " : "replied "));
      request.reply.appendChild(jump(r, "#" + r.seq + (r.type === request.type ? "" : " " + r.type)));
    });
    reply.reply.textContent = "";
    reply.reply.appendChild(document.createTextNode("reply to "));
    reply.reply.appendChild(jump(request, "#" + request.seq +
      (reply.type === request.type ? "" : " " + request.type)));
    reply.reply.appendChild(document.createTextNode(" \u00b7 " + ms + " ms"));
    reply.node.classList.add("is-reply");
  }

  function jump(target, text) {
    var a = document.createElement("a");
    a.href = "#m" + target.seq;
    a.textContent = text;
    a.addEventListener("click", function (event) {
      event.preventDefault();
      target.node.scrollIntoView({ block: "center", behavior: "smooth" });
      target.node.classList.remove("flash");
      void target.node.offsetWidth;  // restart the animation
      target.node.classList.add("flash");
    });
    return a;
  }

  // The log ------------------------------------------------------------------------------------

  function addEntry(entry) {
    entry.seq = ++seq;
    entry.replies = [];
    var pretty = stringify(entry.value);
    entry.search = (entry.type + " " + (entry.requestID || "") + " " + entry.raw + " " +
      pretty).toLowerCase();

    var node = document.createElement("li");
    node.id = "m" + entry.seq;
    node.className = "msg " + entry.direction + (entry.error ? " error" : "");
    node.dataset.direction = entry.direction;
    node.dataset.type = entry.type;
    if (entry.requestID != null) { node.dataset.requestId = String(entry.requestID); }

    // The header line is the <summary>: a click anywhere on it folds the data away.
    var body = document.createElement("details");
    body.className = "body";
    var meta = document.createElement("summary");
    meta.className = "meta";
    meta.appendChild(span("seq", "#" + entry.seq));
    meta.appendChild(span("time", formatTime(entry.time)));
    meta.appendChild(span("dir", entry.direction === "in" ? "\u2190 in" : "\u2192 out"));
    meta.appendChild(span("type", entry.type));
    meta.appendChild(span("rid", entry.requestID == null ? "no requestID" : String(entry.requestID)));
    meta.appendChild(span("size", formatBytes(entry.frame.bytes) +
      (entry.frame.kind === "gzip" ? " gzip \u2192 " + formatBytes(entry.frame.text) : "")));
    if (entry.frame.kind !== "text") { meta.appendChild(span("tag", entry.frame.kind)); }
    var right = span("right", "");
    entry.reply = span("reply", "");
    right.appendChild(entry.reply);
    var decodedTab = tab("decoded", true);
    var rawTab = tab("raw", false);
    right.appendChild(decodedTab);
    right.appendChild(rawTab);
    if (entry.form) {
      // Back into the form as typed, to edit and send again.
      var again = tab("resend", false);
      again.classList.add("resend");
      again.title = "Put this message back into the form, to edit and send again";
      again.addEventListener("click", function (event) {
        event.preventDefault();
        fillForm(entry.form);
      });
      right.appendChild(again);
    }
    meta.appendChild(right);
    meta.appendChild(span("preview", preview(pretty)));

    var pre = document.createElement("pre");
    pre.className = "data";
    var showRaw = false;
    var rendered = false;
    function show(raw) {
      showRaw = raw;
      rendered = true;
      decodedTab.classList.toggle("active", !raw);
      rawTab.classList.toggle("active", raw);
      render(pre, raw ? entry.raw : pretty, !raw);
    }
    // Large messages are rendered only when first unfolded.
    body.addEventListener("toggle", function () {
      if (body.open && !rendered) { show(showRaw); }
    });
    decodedTab.addEventListener("click", function (event) {
      event.preventDefault();
      body.open = true;
      show(false);
    });
    rawTab.addEventListener("click", function (event) {
      event.preventDefault();
      body.open = true;
      show(true);
    });
    body.appendChild(meta);
    body.appendChild(pre);
    if (pretty.length <= FOLD_CHARS) {
      show(false);
      body.open = true;
    }

    node.appendChild(body);
    entry.node = node;
    entry.meta = meta;
    entries.push(entry);

    var atBottom = ui.log.scrollHeight - ui.log.scrollTop - ui.log.clientHeight < 40;
    ui.log.appendChild(node);
    while (entries.length > MAX_ENTRIES) { forget(entries.shift()); }
    applyFilter(entry);
    updateCounts();
    if (ui.follow.checked || atBottom) { node.scrollIntoView({ block: "nearest" }); }
    return entry;
  }

  function forget(old) {
    old.node.remove();
    if (old.requestID != null && requests[old.requestID] === old) { delete requests[old.requestID]; }
    // Connection notes before the oldest remaining message go too.
    var first = ui.log.firstElementChild;
    while (first && first.classList.contains("note") && first.nextElementSibling) {
      first.remove();
      first = ui.log.firstElementChild;
    }
  }

  function addNote(text, level) {
    var node = document.createElement("li");
    node.className = "note" + (level ? " " + level : "");
    node.appendChild(span("time", formatTime(new Date())));
    node.appendChild(span("text", text));
    ui.log.appendChild(node);
    if (ui.follow.checked) { node.scrollIntoView({ block: "nearest" }); }
    return node;
  }

  function tab(text, active) {
    var b = document.createElement("button");
    b.type = "button";
    b.className = "tab" + (active ? " active" : "");
    b.textContent = text;
    return b;
  }

  function stringify(value) {
    if (typeof value === "string") { return value; }
    var text = JSON.stringify(value, null, 2);
    return text === undefined ? String(value) : text;
  }

  function preview(text) {
    var flat = text.slice(0, 2000).replace(/\s+/g, " ");
    return flat.length > 160 ? flat.slice(0, 160) + "\u2026" : flat;
  }

  function render(pre, text, json) {
    pre.textContent = "";
    var shown = text.length > SHOW_CHARS ? text.slice(0, SHOW_CHARS) : text;
    if (json && shown.length <= HIGHLIGHT_CHARS) {
      highlight(pre, shown);
    } else {
      pre.textContent = shown;
    }
    if (shown.length < text.length) {
      pre.appendChild(span("cut", "\n\u2026 " + formatBytes(text.length - shown.length) +
        " more not shown (use the raw frame view or the browser console)"));
    }
  }

  // Colours JSON tokens; builds text nodes, so message content is never parsed as HTML.
  var TOKEN = /("(?:\\u[0-9a-fA-F]{4}|\\[^u]|[^\\"])*"(\s*:)?|\b(?:true|false|null)\b|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)/g;

  function highlight(pre, text) {
    var last = 0;
    var match;
    TOKEN.lastIndex = 0;
    while ((match = TOKEN.exec(text)) !== null) {
      if (match.index > last) { pre.appendChild(document.createTextNode(text.slice(last, match.index))); }
      var token = match[0];
      var cls = "num";
      if (token.charAt(0) === '"') {
        cls = match[2] ? "key" : "str";
      } else if (token === "true" || token === "false") {
        cls = "bool";
      } else if (token === "null") {
        cls = "null";
      }
      if (cls === "key") {
        var colon = token.lastIndexOf(":");
        pre.appendChild(span("key", token.slice(0, colon)));
        pre.appendChild(document.createTextNode(token.slice(colon)));
      } else {
        pre.appendChild(span(cls, token));
      }
      last = match.index + token.length;
    }
    if (last < text.length) { pre.appendChild(document.createTextNode(text.slice(last))); }
  }

  function applyFilter(entry) {
    var query = ui.filter.value.trim().toLowerCase();
    var direction = entry.direction === "in" ? ui.showIn.checked : ui.showOut.checked;
    var visible = direction && (!query || entry.search.indexOf(query) !== -1);
    entry.node.hidden = !visible;
    return visible;
  }

  function refilter() {
    entries.forEach(applyFilter);
    updateCounts();
  }

  function updateCounts() {
    var inbound = 0;
    var shown = 0;
    entries.forEach(function (e) {
      if (e.direction === "in") { inbound++; }
      if (!e.node.hidden) { shown++; }
    });
    var text = entries.length + " messages \u00b7 " + inbound + " in \u00b7 " +
      (entries.length - inbound) + " out";
    if (pings) { text += " \u00b7 " + pings + " pings"; }
    if (shown !== entries.length) { text = "showing " + shown + " of " + text; }
    ui.counts.textContent = text;
  }

  // Handled message types ------------------------------------------------------------------------

  function loadTypes() {
    fetch(config.messageTypesUrl, { cache: "no-store" })
      .then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.json();
      })
      .then(function (body) { showTypes(body.message_types || []); })
      .catch(function (err) {
        ui.types.textContent = "";
        var item = document.createElement("li");
        item.className = "empty error";
        item.textContent = "Could not load the handled types: " + err.message;
        ui.types.appendChild(item);
      });
  }

  function showTypes(types) {
    ui.types.textContent = "";
    ui.typeOptions.textContent = "";
    ui.typesCount.textContent = String(types.length);
    if (!types.length) {
      var none = document.createElement("li");
      none.className = "empty";
      none.textContent = "No handlers registered.";
      ui.types.appendChild(none);
    }
    types.forEach(function (type) {
      var item = document.createElement("li");
      var button = document.createElement("button");
      button.type = "button";
      button.className = "type-button";
      button.dataset.type = type;
      button.textContent = type;
      button.addEventListener("click", function () { pickType(type); });
      item.appendChild(button);
      ui.types.appendChild(item);
      var option = document.createElement("option");
      option.value = type;
      ui.typeOptions.appendChild(option);
    });
  }

  function fillForm(form) {
    ui.raw.checked = form.raw;
    ui.type.disabled = form.raw;
    ui.type.value = form.type;
    ui.type.classList.remove("invalid");
    ui.data.value = form.data;
    lastExample = "";
    ui.data.focus();
  }

  function pickType(type) {
    ui.raw.checked = false;
    ui.type.value = type;
    ui.type.classList.remove("invalid");
    // Replace the data only if the user has not typed their own since the last example.
    if (ui.data.value === "" || ui.data.value === lastExample) {
      var example = Object.prototype.hasOwnProperty.call(EXAMPLES, type) ? EXAMPLES[type] : null;
      lastExample = example === null ? "" : JSON.stringify(example, null, 2);
      ui.data.value = lastExample;
    }
    ui.data.focus();
  }

  // Helpers ------------------------------------------------------------------------------------

  function span(cls, text) {
    var s = document.createElement("span");
    s.className = cls;
    s.textContent = text;
    return s;
  }

  function pad(n, width) { return String(n).padStart(width, "0"); }

  function formatTime(d) {
    return pad(d.getHours(), 2) + ":" + pad(d.getMinutes(), 2) + ":" + pad(d.getSeconds(), 2) +
      "." + pad(d.getMilliseconds(), 3);
  }

  function byteLength(text) { return new TextEncoder().encode(text).length; }

  function formatBytes(n) {
    if (n < 1024) { return n + " B"; }
    if (n < 1024 * 1024) { return (n / 1024).toFixed(1) + " KB"; }
    return (n / 1024 / 1024).toFixed(1) + " MB";
  }

  // Wiring -------------------------------------------------------------------------------------

  ui.form.addEventListener("submit", send);
  ui.data.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      ui.form.requestSubmit();
    }
  });
  ui.raw.addEventListener("change", function () {
    ui.type.disabled = ui.raw.checked;
  });
  ui.filter.addEventListener("input", refilter);
  ui.filter.addEventListener("keydown", function (event) {
    if (event.key === "Escape") {
      ui.filter.value = "";
      refilter();
    }
  });
  ui.showIn.addEventListener("change", refilter);
  ui.showOut.addEventListener("change", refilter);
  ui.clear.addEventListener("click", function () {
    entries = [];
    requests = {};
    pings = 0;
    ui.log.textContent = "";
    updateCounts();
  });
  ui.reconnect.addEventListener("click", function () {
    retryDelay = 500;
    connect();
  });

  updateCounts();
  loadTypes();
  connect();
})();
