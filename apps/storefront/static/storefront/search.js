/* The search page: the query string of the page is the search (q, category, options, price, in_stock, sort,
   offset); this script asks GET /api/ai-assistant/search for it and renders the hits, the facets the API returns
   (categories, options, price ranges, in stock), "did you mean" and the pages. Every filter is a plain link to
   the same page with one parameter changed, so Back and bookmarks work. Without facets in the answer the
   category filter lists the families. The sort goes to the API, which orders every match before it cuts the
   page, so the hits are shown in the API's order and page 2 continues page 1. */
(function () {
  "use strict";
  var root = document.querySelector("[data-search]");
  if (!root) return;
  var PAGE = 12;
  var FILTERS = ["category", "options", "min_price", "max_price", "in_stock"];
  var families = JSON.parse(document.getElementById("families-data").textContent);
  var familyById = {};
  families.forEach(function (family) { familyById[family.id] = family; });
  var params = new URLSearchParams(window.location.search);
  var q = (params.get("q") || "").trim();
  var countNode = root.querySelector("[data-count]");
  var resultsNode = root.querySelector("[data-results]");
  var facetsNode = root.querySelector("[data-facets]");
  var pagesNode = root.querySelector("[data-pages]");
  var suggestionNode = root.querySelector("[data-suggestion]");
  var sortNode = root.querySelector("[data-sort]");
  var text = window.shop.text;
  sortNode.value = params.get("sort") || "";
  if (window.matchMedia("(min-width: 50rem)").matches) root.querySelector("[data-facets-box]").open = true;

  function pageUrl(changes) {
    var next = new URLSearchParams(params.toString());
    Object.keys(changes).forEach(function (name) {
      if (changes[name] === null || changes[name] === "") next.delete(name);
      else next.set(name, changes[name]);
    });
    if (!("offset" in changes)) next.delete("offset");  // a new filter starts at the first page
    return "?" + next.toString();
  }

  function link(label, href, current) {
    var a = text("a", label);
    a.href = href;
    if (current) a.setAttribute("aria-current", "true");
    return a;
  }

  function money(value) { return value + " " + root.dataset.currency; }

  function slugUrl(template, id) {
    var family = familyById[id];
    return family ? template.replace("/slug/", "/" + family.slug + "/") : null;
  }

  function hitLink(hit) {
    if (hit.type === "product") return root.dataset.productUrl.replace(/\/0\/$/, "/" + hit.object_id + "/");
    if (hit.type === "category") return slugUrl(root.dataset.familyUrl, hit.object_id);
    return slugUrl(root.dataset.configureUrl, hit.category_id);
  }

  function renderHit(hit) {
    var item = text("li", null, "card result result-" + hit.type);
    var title = text("h2");
    var href = hitLink(hit);
    title.appendChild(href ? link(hit.name, href) : text("span", hit.name));
    item.appendChild(title);
    var meta = [hit.type === "product" ? null : hit.type, hit.category].filter(Boolean).join(" · ");
    if (meta) item.appendChild(text("p", meta, "meta"));
    if (hit.price !== null && hit.price !== undefined) {
      item.appendChild(text("p", (hit.type === "part" ? "from " : "") + money(hit.price), "price"));
    }
    if (hit.in_stock === true) item.appendChild(text("p", "Available", "stock ok"));
    if (hit.in_stock === false) item.appendChild(text("p", "Unavailable now", "stock no"));
    if (hit.snippet) item.appendChild(text("p", hit.snippet, "summary"));
    return item;
  }

  function facetGroup(title, entries) {
    if (!entries.length) return;
    var group = text("section", null, "facet");
    group.appendChild(text("h2", title));
    var list = text("ul");
    entries.forEach(function (entry) {
      var item = text("li");
      item.appendChild(link(entry.label, entry.href, entry.current));
      if (entry.count !== undefined && entry.count !== null) item.appendChild(text("span", " (" + entry.count + ")", "count"));
      list.appendChild(item);
    });
    group.appendChild(list);
    facetsNode.appendChild(group);
  }

  function toggleOption(id) {
    var current = (params.get("options") || "").split(",").filter(Boolean);
    var at = current.indexOf(String(id));
    if (at === -1) current.push(String(id)); else current.splice(at, 1);
    return pageUrl({ options: current.join(",") });
  }

  function bucketBounds(bucket) {
    var low = bucket.min !== undefined ? bucket.min : bucket.from !== undefined ? bucket.from : bucket.gte;
    var high = bucket.max !== undefined ? bucket.max : bucket.to !== undefined ? bucket.to : bucket.lt;
    return [low === undefined ? null : low, high === undefined ? null : high];
  }

  function renderFacets(facets) {
    facetsNode.textContent = "";
    var active = FILTERS.filter(function (name) { return params.get(name); });
    if (active.length) {
      facetGroup("Active filters", active.map(function (name) {
        var change = {}; change[name] = null;
        var value = params.get(name);
        if (name === "category" && familyById[value]) value = familyById[value].name;
        return { label: "Remove " + name.replace("_", " ") + ": " + value, href: pageUrl(change) };
      }));
    }
    var category = params.get("category");
    var categories = facets && Array.isArray(facets.category) ? facets.category
      : families.map(function (family) { return { id: family.id, name: family.name, count: null }; });
    facetGroup("Category", categories.map(function (entry) {
      var current = String(entry.id) === category;
      return { label: entry.name, count: entry.count, current: current,
               href: pageUrl({ category: current ? null : String(entry.id) }) };
    }));
    if (!facets) return;
    var chosen = (params.get("options") || "").split(",");
    (facets.options || []).forEach(function (part) {
      facetGroup(part.part, (part.options || []).map(function (option) {
        var current = chosen.indexOf(String(option.id)) !== -1;
        return { label: (current ? "✓ " : "") + option.name, count: option.count, current: current,
                 href: toggleOption(option.id) };
      }));
    });
    if (Array.isArray(facets.price)) {
      facetGroup("Price", facets.price.map(function (bucket) {
        var bounds = bucketBounds(bucket);
        var label = bounds[0] !== null && bounds[1] !== null ? money(bounds[0]) + " – " + money(bounds[1])
          : bounds[1] !== null ? "up to " + money(bounds[1]) : "from " + money(bounds[0]);
        return { label: label, count: bucket.count,
                 href: pageUrl({ min_price: bounds[0] === null ? null : String(bounds[0]),
                                 max_price: bounds[1] === null ? null : String(bounds[1]) }) };
      }));
    }
    if (facets.in_stock && typeof facets.in_stock === "object") {
      facetGroup("Availability", [
        { label: "Available now", count: facets.in_stock["true"], href: pageUrl({ in_stock: "true" }),
          current: params.get("in_stock") === "true" },
        { label: "Unavailable now", count: facets.in_stock["false"], href: pageUrl({ in_stock: "false" }),
          current: params.get("in_stock") === "false" },
      ]);
    }
  }

  function renderPages(body, offset, shown) {
    pagesNode.textContent = "";
    if (typeof body.total !== "number") return;  // pages need the API's total
    if (offset > 0) pagesNode.appendChild(link("Previous", pageUrl({ offset: Math.max(0, offset - PAGE) || null })));
    pagesNode.appendChild(text("span", "Results " + (shown ? offset + 1 : 0) + "–" + (offset + shown) + " of " + body.total));
    if (offset + shown < body.total) pagesNode.appendChild(link("Next", pageUrl({ offset: String(offset + PAGE) })));
  }

  function render(body, offset) {
    var hits = body.results;
    resultsNode.textContent = "";
    hits.forEach(function (hit) { resultsNode.appendChild(renderHit(hit)); });
    var total = typeof body.total === "number" ? body.total : hits.length;
    if (body.index_state === "building") countNode.textContent = "The search index is being built; results appear in a moment.";
    else if (!hits.length) countNode.textContent = "Nothing matches “" + q + "”.";
    else countNode.textContent = total + " result" + (total === 1 ? "" : "s") + ".";
    if (body.suggestion) {
      suggestionNode.textContent = "Did you mean ";
      suggestionNode.appendChild(link(body.suggestion, "?q=" + encodeURIComponent(body.suggestion)));
      suggestionNode.appendChild(document.createTextNode("?"));
      suggestionNode.hidden = false;
    }
    renderFacets(body.facets || null);
    renderPages(body, offset, hits.length);
  }

  function failed(result) {
    resultsNode.textContent = "";
    if (result.status === 400 && result.body) {
      countNode.textContent = Object.keys(result.body).map(function (name) {
        var messages = result.body[name];
        return name + ": " + (Array.isArray(messages) ? messages.join(" ") : messages);
      }).join("; ");
    } else if (result.status === 429) {
      countNode.textContent = "Too many searches just now; try again in a few seconds.";
    } else {
      countNode.textContent = "Search is unavailable right now (" + result.status + "); the product families still work.";
    }
    renderFacets(null);
  }

  if (!q) { renderFacets(null); return; }
  var offset = Math.max(0, parseInt(params.get("offset") || "0", 10) || 0);
  var query = new URLSearchParams({ q: q, limit: String(PAGE) });
  FILTERS.concat(["sort"]).forEach(function (name) { if (params.get(name)) query.set(name, params.get(name)); });
  if (offset) query.set("offset", String(offset));
  window.shop.api(root.dataset.api + "?" + query.toString()).then(function (result) {
    if (result.status === 200 && result.body) render(result.body, offset); else failed(result);
  }, function () { failed({ status: 0 }); });
})();
