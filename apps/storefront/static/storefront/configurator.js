/* The configurator page: after every choice, POST /api/configurator/quote prices the selection; the page shows
   the total, the breakdown and, per option, the price it would have now or why it cannot be chosen. Which
   options can be chosen is the quote's `available_options`; the page only looks up the message of the rule
   that excludes one (the category's rules are in the page's JSON). */
(function () {
  "use strict";
  var root = document.querySelector("[data-configurator]");
  if (!root) return;
  var data = JSON.parse(document.getElementById("configurator-data").textContent);
  var category = Number(root.dataset.category);
  var form = root.querySelector("[data-steps]");
  var hidden = root.querySelector("[data-options]");
  var addButton = root.querySelector("[data-add]");
  var totalNode = root.querySelector("[data-total]");
  var breakdownNode = root.querySelector("[data-breakdown]");
  var errorsNode = root.querySelector("[data-errors]");
  var sequence = 0;

  var partOf = {};
  var stock = {};
  data.parts.forEach(function (part) {
    part.options.forEach(function (option) {
      partOf[option.id] = part.id;
      stock[option.id] = option.in_stock;
    });
  });

  function chosen() {
    var ids = [];
    form.querySelectorAll('input[type="radio"]:checked').forEach(function (input) { ids.push(Number(input.value)); });
    return ids;
  }

  /* The message of the rule between `optionId` and one of the chosen options of the other parts. */
  function ruleMessage(optionId, selection) {
    for (var i = 0; i < data.incompatibility_rules.length; i++) {
      var rule = data.incompatibility_rules[i];
      var other = rule.option === optionId ? rule.incompatible_with_option
        : rule.incompatible_with_option === optionId ? rule.option : null;
      if (other !== null && selection.indexOf(other) !== -1 && partOf[other] !== partOf[optionId]) {
        return rule.message || "Cannot be combined with your other choices.";
      }
    }
    return "Cannot be combined with your other choices.";
  }

  function render(quote, selection) {
    totalNode.textContent = quote.price + " " + quote.currency;
    breakdownNode.textContent = "";
    quote.breakdown.forEach(function (line) {
      var row = document.createElement("tr");
      row.appendChild(window.shop.text("td", line.part));
      row.appendChild(window.shop.text("td", line.option));
      row.appendChild(window.shop.text("td", line.price, "num"));
      breakdownNode.appendChild(row);
    });
    errorsNode.textContent = "";
    quote.errors.forEach(function (error) {
      if (error.code !== "missing_part") errorsNode.appendChild(window.shop.text("li", error.message));
    });
    var missing = quote.errors.filter(function (error) { return error.code === "missing_part"; }).length;
    if (missing) errorsNode.appendChild(window.shop.text("li", missing + " step" + (missing > 1 ? "s" : "") + " left to choose.", "todo"));

    data.parts.forEach(function (part) {
      var available = {};
      (quote.available_options[String(part.id)] || []).forEach(function (option) { available[option.id] = option; });
      part.options.forEach(function (option) {
        var item = form.querySelector('[data-option="' + option.id + '"]');
        var input = item.querySelector("input");
        var note = item.querySelector("[data-note]");
        var price = item.querySelector("[data-price]");
        var now = available[option.id];
        if (now) {
          input.disabled = false;
          price.textContent = now.price + " " + quote.currency;
          note.textContent = "";
          item.classList.remove("excluded");
        } else {
          input.disabled = true;
          item.classList.add("excluded");
          note.textContent = stock[option.id] === false ? "Out of stock" : ruleMessage(option.id, selection);
        }
      });
    });
    hidden.value = selection.join(",");
    addButton.disabled = !quote.valid;
  }

  function update() {
    var selection = chosen();
    var mine = ++sequence;
    hidden.value = selection.join(",");
    addButton.disabled = true;  // until the quote says the configuration is valid
    window.shop.api(root.dataset.quoteUrl, { body: { category: category, options: selection } }).then(function (result) {
      if (mine !== sequence) return;  // a later click is already being priced
      if (result.status !== 200 || !result.body) {
        errorsNode.textContent = "";
        errorsNode.appendChild(window.shop.text("li", "The price could not be checked (" + result.status + "); try again."));
        return;
      }
      render(result.body, selection);
    }, function () {
      if (mine === sequence) {
        errorsNode.textContent = "";
        errorsNode.appendChild(window.shop.text("li", "The shop cannot be reached; check your connection."));
      }
    });
  }

  form.addEventListener("change", function (event) {
    if (event.target.matches('input[type="radio"]')) update();
  });
  form.querySelectorAll("[data-clear]").forEach(function (button) {
    button.addEventListener("click", function () {
      form.querySelectorAll('[data-part="' + button.dataset.clear + '"] input:checked').forEach(function (input) {
        input.checked = false;
      });
      update();
    });
  });
  update();
})();
