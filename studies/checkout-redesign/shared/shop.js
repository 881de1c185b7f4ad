/* Trailhead prototype behaviour, shared by both variants.
   The cart lives in localStorage under keys prefixed by the variant (data-variant on <html>).
   Every form is fake: a valid submit only navigates to the next page. Inputs carry no name
   attribute, so typed values never reach a URL, storage or any other page. */
(function () {
  "use strict";

  var variant = document.documentElement.getAttribute("data-variant") || "a";
  var PREFIX = "trailhead-" + variant + "-";
  var PRODUCTS = {
    "trail-runner": { name: "Trail Runner 2", price: 129, page: "product-trail-runner.html" },
    "summit-hiker": { name: "Summit Hiker GTX", price: 159, page: "product-summit-hiker.html" },
    "road-glide": { name: "Road Glide 5", price: 119, page: "product-road-glide.html" },
    "canyon-sandal": { name: "Canyon Sandal", price: 69, page: "product-canyon-sandal.html" }
  };
  var SIZES = ["38", "39", "40", "41", "42", "43", "44", "45", "46"];
  var COUPON = "SPRING10";
  var COUPON_RATE = 0.1;
  // A fresh browser (or a task that starts on cart.html) sees the study's item in the cart.
  var DEFAULT_CART = [{ product: "trail-runner", size: "42", qty: 1 }];

  function load(name) {
    try {
      var raw = window.localStorage.getItem(PREFIX + name);
      return raw === null ? null : JSON.parse(raw);
    } catch (e) {
      return null;
    }
  }
  function save(name, value) {
    try { window.localStorage.setItem(PREFIX + name, JSON.stringify(value)); } catch (e) { /* private mode */ }
  }
  function validLine(line) {
    return line && PRODUCTS[line.product] && SIZES.indexOf(String(line.size)) >= 0 &&
      line.qty >= 1 && line.qty <= 9;
  }
  function storedCart() {
    var lines = load("cart");
    return Array.isArray(lines) ? lines.filter(validLine) : null;
  }
  function cart() {
    var lines = storedCart();
    return lines === null ? DEFAULT_CART.map(function (l) { return { product: l.product, size: l.size, qty: l.qty }; }) : lines;
  }
  function totals(lines) {
    var subtotal = lines.reduce(function (sum, l) { return sum + PRODUCTS[l.product].price * l.qty; }, 0);
    var discount = load("coupon") === COUPON ? Math.round(subtotal * COUPON_RATE * 100) / 100 : 0;
    return { count: lines.reduce(function (n, l) { return n + l.qty; }, 0), subtotal: subtotal, discount: discount, total: subtotal - discount };
  }
  function money(n) { return "€" + n.toFixed(2); }
  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function go(page) { window.location.href = page; }

  function renderCount() {
    var n = totals(cart()).count;
    document.querySelectorAll("[data-cart-count]").forEach(function (node) { node.textContent = String(n); });
  }

  function renderSummary() {
    var lines = cart();
    var t = totals(lines);
    document.querySelectorAll("[data-summary]").forEach(function (dl) {
      dl.textContent = "";
      dl.appendChild(el("dt", {}, "Subtotal"));
      dl.appendChild(el("dd", { id: "subtotal" }, money(t.subtotal)));
      if (t.discount) {
        dl.appendChild(el("dt", { "class": "discount" }, "Discount (" + COUPON + ")"));
        dl.appendChild(el("dd", { id: "discount", "class": "discount" }, "−" + money(t.discount)));
      }
      dl.appendChild(el("dt", {}, "Delivery"));
      dl.appendChild(el("dd", {}, "Free"));
      dl.appendChild(el("dt", { "class": "total" }, "Total"));
      dl.appendChild(el("dd", { id: "total", "class": "total" }, money(t.total)));
    });
    document.querySelectorAll("[data-mini-lines]").forEach(function (ul) {
      ul.textContent = "";
      lines.forEach(function (l) {
        var li = el("li");
        li.appendChild(el("span", {}, l.qty + " × " + PRODUCTS[l.product].name + ", size " + l.size));
        li.appendChild(el("span", {}, money(PRODUCTS[l.product].price * l.qty)));
        ul.appendChild(li);
      });
    });
  }

  function renderCart() {
    var list = document.getElementById("cart-lines");
    if (!list) return;
    var lines = cart();
    list.textContent = "";
    lines.forEach(function (line, index) {
      var p = PRODUCTS[line.product];
      var key = line.product + "-" + line.size;
      var li = el("li", { "class": "cart-line", "data-product": line.product, "data-size": line.size });
      var img = el("img", { src: "../shared/img/" + line.product + ".svg", alt: "", width: "120", height: "75" });
      var info = el("div");
      var name = el("a", { href: p.page, "class": "name" }, p.name);
      info.appendChild(name);
      info.appendChild(el("div", { "class": "hint" }, "Size " + line.size + " · " + money(p.price) + " each"));
      var qty = el("div", { "class": "qty" });
      qty.appendChild(el("label", { "for": "quantity-" + key }, "Quantity"));
      var select = el("select", { id: "quantity-" + key, "data-quantity": "" });
      for (var q = 1; q <= 9; q++) {
        var opt = el("option", { value: String(q) }, String(q));
        if (q === line.qty) opt.selected = true;
        select.appendChild(opt);
      }
      select.addEventListener("change", function () {
        var current = cart();
        current[index].qty = parseInt(select.value, 10);
        save("cart", current);
        refresh();
      });
      qty.appendChild(select);
      var remove = el("button", { type: "button", "class": "link-button small", id: "remove-" + key }, "Remove");
      remove.setAttribute("aria-label", "Remove " + p.name + ", size " + line.size);
      remove.addEventListener("click", function () {
        var current = cart();
        current.splice(index, 1);
        save("cart", current);
        refresh();
        var heading = document.getElementById("cart-heading");
        if (heading) heading.focus();
      });
      qty.appendChild(remove);
      info.appendChild(qty);
      li.appendChild(img);
      li.appendChild(info);
      li.appendChild(el("div", { "class": "line-price" }, money(p.price * line.qty)));
      list.appendChild(li);
    });
    var empty = lines.length === 0;
    var emptyNote = document.getElementById("cart-empty");
    if (emptyNote) emptyNote.hidden = !empty;
    var filled = document.getElementById("cart-filled");
    if (filled) filled.hidden = empty;
  }

  function refresh() {
    renderCart();
    renderSummary();
    renderCount();
  }

  function wireProductForm() {
    var form = document.getElementById("product-form");
    if (!form) return;
    var product = form.getAttribute("data-product");
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      save("last-product", product);
      var chosen = form.querySelector("input[type=radio]:checked");
      if (!chosen || SIZES.indexOf(chosen.value) < 0) {
        go("size-missing.html");
        return;
      }
      var lines = storedCart() || [];
      var existing = lines.filter(function (l) { return l.product === product && l.size === chosen.value; })[0];
      if (existing) existing.qty = Math.min(9, existing.qty + 1);
      else lines.push({ product: product, size: chosen.value, qty: 1 });
      save("cart", lines);
      go("cart.html?size=" + encodeURIComponent(chosen.value));
    });
  }

  function showAddedNote() {
    var note = document.getElementById("added-note");
    if (!note) return;
    var size = new URLSearchParams(window.location.search).get("size");
    var product = PRODUCTS[load("last-product")] || PRODUCTS["trail-runner"];
    if (size && SIZES.indexOf(size) >= 0) {
      note.textContent = "Added to your cart: " + product.name + ", size " + size + ".";
      note.hidden = false;
    }
  }

  function wireSizeMissing() {
    var back = document.getElementById("back-to-product");
    var product = PRODUCTS[load("last-product")];
    if (back && product) {
      back.href = product.page;
      back.textContent = "Back to " + product.name;
    }
  }

  function wireCoupon() {
    var toggle = document.getElementById("promo-toggle");
    var form = document.getElementById("coupon-form");
    if (toggle && form) {
      toggle.addEventListener("click", function () {
        var open = form.hidden;
        form.hidden = !open;
        toggle.setAttribute("aria-expanded", String(open));
        if (open) document.getElementById("coupon-code").focus();
      });
    }
    if (!form) return;
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var code = document.getElementById("coupon-code").value.trim().toUpperCase();
      go(code === COUPON ? "coupon-applied.html" : "coupon-invalid.html");
    });
  }

  function wireCouponApplied() {
    if (document.body.hasAttribute("data-coupon-applied")) save("coupon", COUPON);
  }

  function wireCheckoutChoice() {
    var guest = document.getElementById("guest-checkout");
    var section = document.getElementById("address-section");
    if (!guest || !section) return;
    function reveal() {
      var choice = document.getElementById("checkout-choice");
      if (choice) choice.hidden = true;
      section.hidden = false;
      document.getElementById("address-heading").focus();
    }
    guest.addEventListener("click", reveal);
    if (window.location.hash === "#address") reveal();
  }

  function wireFakeForms() {
    // The submit event only fires once the browser's own checks (required fields) have passed.
    document.querySelectorAll("form[data-next]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        go(form.getAttribute("data-next"));
      });
    });
  }

  function wireOrderNumber() {
    var node = document.getElementById("order-number");
    if (!node) return;
    var n = new Uint32Array(1);
    window.crypto.getRandomValues(n);
    node.textContent = "TH-" + String(100000 + (n[0] % 900000));
  }

  document.addEventListener("DOMContentLoaded", function () {
    wireCouponApplied();
    refresh();
    wireProductForm();
    showAddedNote();
    wireSizeMissing();
    wireCoupon();
    wireCheckoutChoice();
    wireFakeForms();
    wireOrderNumber();
  });
})();
