(function () {
  // Live reload and the error overlay of `geppetto-dev serve --reload` (injected into pages).
  // The server announces its boot id: a new one means new code, so the page reloads. It also
  // sends the current errors ({"type": "problems"}); an empty list clears the overlay.
  var boot = __BOOT__, css = __CSS__, retry = __RETRY__;
  var url = (location.protocol === "https:" ? "wss://" : "ws://") + location.host + __PATH__;
  var ID = "geppetto-error-overlay", dismissed = null;

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function codeBlock(p) {
    var pre = el("pre", "geppetto-code");
    var width = String(p.code[p.code.length - 1][0]).length;
    p.code.forEach(function (pair) {
      var n = String(pair[0]), here = pair[0] === p.line;
      while (n.length < width) n = " " + n;
      var row = el(here ? "mark" : "span", "geppetto-code-line", (here ? ">" : " ") + " " + n + " | " + pair[1]);
      pre.appendChild(row);
      pre.appendChild(document.createTextNode("\n"));
      if (here && p.column) {
        var pad = new Array(width + 5 + p.column).join(" ");
        pre.appendChild(el("span", "geppetto-caret", pad + "^"));
        pre.appendChild(document.createTextNode("\n"));
      }
    });
    return pre;
  }

  function section(p) {
    var box = el("section", "geppetto-problem");
    box.setAttribute("data-source", p.source);
    box.appendChild(el("h2", "geppetto-heading", p.heading));
    box.appendChild(el("p", "geppetto-message", p.message ? p.title + ": " + p.message : p.title));
    if (p.where) box.appendChild(el("p", "geppetto-where", p.where));
    if (p.code && p.code.length) box.appendChild(codeBlock(p));
    if (p.detail) {
      var more = el("details", "geppetto-detail");
      more.open = p.detail.indexOf("Traceback (most recent call last)") === 0;
      more.appendChild(el("summary", null, p.source === "python" ? "Traceback" : "Build output"));
      more.appendChild(el("pre", null, p.detail));
      box.appendChild(more);
    }
    return box;
  }

  function render(problems) {
    var old = document.getElementById(ID), key = JSON.stringify(problems);
    if (!problems.length || key === dismissed) {
      if (old) old.parentNode.removeChild(old);
      return;
    }
    var root = el("div");
    root.id = ID;
    root.setAttribute("role", "alertdialog");
    root.setAttribute("aria-label", "Errors");
    root.appendChild(el("style", null, css));
    var panel = el("div", "geppetto-panel");
    var close = el("button", "geppetto-dismiss", "\u00d7");
    close.type = "button";
    close.setAttribute("aria-label", "Dismiss");
    close.onclick = function () { dismissed = key; render(problems); };
    panel.appendChild(close);
    problems.forEach(function (p) { panel.appendChild(section(p)); });
    panel.appendChild(el("p", "geppetto-hint", "Save a fix and this clears by itself."));
    root.appendChild(panel);
    if (old) old.parentNode.replaceChild(root, old);
    else (document.body || document.documentElement).appendChild(root);
  }

  function connect() {
    var ws = new WebSocket(url);
    ws.onmessage = function (e) {
      var m = JSON.parse(e.data);
      if (m.type === "reload" || (m.type === "hello" && m.boot !== boot)) {
        ws.onclose = null;
        location.reload();
      } else if (m.type === "problems") {
        render(m.problems);
      }
    };
    ws.onclose = function () { setTimeout(connect, retry); };
  }
  connect();
})();
