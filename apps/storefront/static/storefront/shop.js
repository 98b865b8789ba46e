/* Shared by every storefront page: the CSRF header for the shop's own API, suggestions as you type, and the
   staff-only index freshness badge. Plain JavaScript, no library, nothing loaded from another host. */
(function () {
  "use strict";
  var shop = (window.shop = window.shop || {});

  shop.csrf = function () {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.content : "";
  };

  /* fetch() of our API as JSON; resolves {status, body} (body null when it is not JSON). */
  shop.api = function (url, options) {
    options = options || {};
    var headers = { Accept: "application/json" };
    if (options.body !== undefined) {
      headers["Content-Type"] = "application/json";
      headers["X-CSRFToken"] = shop.csrf();
    }
    return fetch(url, {
      method: options.method || (options.body !== undefined ? "POST" : "GET"),
      headers: headers,
      credentials: "same-origin",
      body: options.body !== undefined ? JSON.stringify(options.body) : undefined,
    }).then(function (response) {
      return response.json().then(
        function (body) { return { status: response.status, body: body, response: response }; },
        function () { return { status: response.status, body: null, response: response }; }
      );
    });
  };

  shop.text = function (tag, text, className) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = text;
    if (className) node.className = className;
    return node;
  };

  /* Suggestions as you type (GET /api/ai-assistant/suggest): fills the shared <datalist>; silent when the
     endpoint is missing or busy. */
  function suggestions() {
    var list = document.getElementById("search-suggestions");
    if (!list) return;
    var timer = null;
    var last = "";
    document.querySelectorAll("[data-suggest]").forEach(function (input) {
      input.addEventListener("input", function () {
        var q = input.value.trim();
        clearTimeout(timer);
        if (q.length < 2 || q === last) return;
        timer = setTimeout(function () {
          last = q;
          shop.api("/api/ai-assistant/suggest?q=" + encodeURIComponent(q)).then(function (result) {
            if (result.status !== 200 || !result.body || !Array.isArray(result.body.suggestions)) return;
            list.textContent = "";
            result.body.suggestions.forEach(function (item) {
              var option = document.createElement("option");
              option.value = item.text;
              list.appendChild(option);
            });
          }, function () {});
        }, 150);
      });
    });
  }

  /* Staff only: pending index changes and the last sync, from GET /api/ai-assistant/index/status. */
  function freshness() {
    var badge = document.querySelector("[data-freshness]");
    if (!badge) return;
    shop.api(badge.dataset.url).then(function (result) {
      badge.textContent = "";
      var link = shop.text("a", "", "");
      link.href = badge.dataset.admin;  // the admin's index status panel
      if (result.status !== 200 || !result.body) {
        link.textContent = "Search index: status unavailable (" + result.status + ")";
      } else {
        var body = result.body;
        var last = body.last_update_at ? new Date(body.last_update_at).toLocaleString() : "never";
        link.textContent = "Search index: " + body.pending_changes + " pending change" +
          (body.pending_changes === 1 ? "" : "s") + " · last sync " + last +
          (body.rebuild_in_progress ? " · rebuilding" : "");
        badge.classList.toggle("stale", body.pending_changes > 0);
      }
      badge.appendChild(link);
    }, function () { badge.textContent = "Search index: status unavailable"; });
  }

  document.addEventListener("DOMContentLoaded", function () {
    suggestions();
    freshness();
  });
})();
