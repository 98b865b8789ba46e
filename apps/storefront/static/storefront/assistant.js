/* The assistant widget of every page. The chat session (session_id of POST /api/ai-assistant/chat) and the
   conversation are kept in sessionStorage, so the panel carries on across pages of the tab; the answer's
   product cards link to the storefront's product pages. */
(function () {
  "use strict";
  var root = document.querySelector("[data-assistant]");
  if (!root) return;
  var KEY = "marcus.assistant";
  var MAX_ENTRIES = 40;
  var toggle = root.querySelector(".assistant-toggle");
  var panel = root.querySelector(".assistant-panel");
  var log = root.querySelector("[data-log]");
  var status = root.querySelector("[data-status]");
  var form = root.querySelector("[data-form]");
  var input = form.querySelector("input");
  var sendButton = form.querySelector("button");

  function load() {
    try { return JSON.parse(sessionStorage.getItem(KEY)) || {}; } catch (e) { return {}; }
  }
  function save(state) {
    state.entries = (state.entries || []).slice(-MAX_ENTRIES);
    try { sessionStorage.setItem(KEY, JSON.stringify(state)); } catch (e) { /* private mode: this page only */ }
  }
  var state = load();

  function productUrl(id) {
    return root.dataset.productUrl.replace(/\/0\/$/, "/" + Number(id) + "/");
  }

  function show(entry) {
    var item = window.shop.text("li", null, "entry from-" + entry.role);
    item.appendChild(window.shop.text("p", entry.text));
    if (entry.products && entry.products.length) {
      var cards = window.shop.text("ul", null, "assistant-cards");
      entry.products.forEach(function (product) {
        var card = window.shop.text("li", null, "assistant-card");
        var link = window.shop.text("a", product.name);
        link.href = productUrl(product.id);
        card.appendChild(link);
        var price = product.price === null ? "price on request" : product.price + " " + root.dataset.currency;
        card.appendChild(window.shop.text("span", price + (product.available ? "" : " · unavailable now"), "meta"));
        cards.appendChild(card);
      });
      item.appendChild(cards);
    }
    log.appendChild(item);
    log.scrollTop = log.scrollHeight;
  }

  function open(yes, focus) {
    panel.hidden = !yes;
    toggle.setAttribute("aria-expanded", String(yes));
    toggle.textContent = yes ? "Close the assistant" : "Ask the assistant";
    state.open = yes;
    save(state);
    if (yes && focus) input.focus();
  }

  (state.entries || []).forEach(show);
  if (state.open) open(true, false);
  toggle.addEventListener("click", function () { open(panel.hidden, true); });
  root.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && !panel.hidden) { open(false); toggle.focus(); }
  });

  function add(entry) {
    state.entries = state.entries || [];
    state.entries.push(entry);
    save(state);
    show(entry);
  }

  function ask(message, retried) {
    var body = { message: message };
    if (state.session_id) body.session_id = state.session_id;
    status.textContent = "The assistant is thinking…";
    sendButton.disabled = true;
    return window.shop.api(root.dataset.chatUrl, { body: body }).then(function (result) {
      sendButton.disabled = false;
      status.textContent = "";
      if (result.status === 200 && result.body) {
        state.session_id = result.body.session_id;
        add({ role: "assistant", text: result.body.answer, products: result.body.products || [] });
        return;
      }
      if (result.status === 400 && result.body && result.body.session_id && !retried) {
        delete state.session_id;  // the session expired: start a new one
        return ask(message, true);
      }
      if (result.status === 429) {
        var wait = result.response.headers.get("Retry-After");
        status.textContent = "The assistant is busy right now; try again" + (wait ? " in " + wait + " seconds." : " shortly.");
        return;
      }
      if (result.status === 400 && result.body && result.body.message) {
        status.textContent = "Your question: " + result.body.message.join(" ");
        return;
      }
      status.textContent = "The assistant is unavailable right now (" + result.status + "). Search and the configurator still work.";
    }, function () {
      sendButton.disabled = false;
      status.textContent = "The assistant cannot be reached right now. Search and the configurator still work.";
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var message = input.value.trim();
    if (!message) return;
    input.value = "";
    add({ role: "customer", text: message });
    ask(message, false);
  });
})();
