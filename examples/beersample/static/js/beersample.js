/* Search as you type, brewery suggestions and like buttons; no library needed. */
(function () {
  "use strict";

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.content : "";
  }

  function getJSON(url, signal) {
    return fetch(url, {headers: {"Accept": "application/json"}, signal: signal}).then(function (r) {
      if (!r.ok) { throw new Error("HTTP " + r.status); }
      return r.json();
    });
  }

  /* Fill a row <template>: data-text="field" gets the text, data-href's ID / BREWERY the ids. */
  function renderRow(template, item) {
    var row = template.content.firstElementChild.cloneNode(true);
    row.querySelectorAll("[data-text]").forEach(function (el) {
      var v = item[el.dataset.text];
      if (el.dataset.format === "fixed1" && typeof v === "number") { v = v.toFixed(1); }
      el.textContent = v === null || v === undefined ? "" : String(v);
    });
    row.querySelectorAll("[data-href]").forEach(function (el) {
      el.href = el.dataset.href.replace(/ID$/, encodeURIComponent(item.id))
                               .replace(/BREWERY$/, encodeURIComponent(item.brewery || ""));
    });
    return row;
  }

  function liveSearch(input) {
    var table = document.querySelector(input.dataset.table);
    var body = table.tBodies[0];
    var template = document.getElementById(table.id.replace("-table", "-row"));
    var status = document.getElementById("search-status");
    var pager = document.getElementById("pager");
    var original = Array.prototype.slice.call(body.children);
    var pending = null, timer = null;

    function restore() {
      body.replaceChildren.apply(body, original);
      if (pager) { pager.hidden = false; }
      status.textContent = "";
      table.dataset.query = "";
    }

    function run() {
      var value = input.value;
      if (pending) { pending.abort(); }
      if (value === "") { restore(); return; }
      pending = new AbortController();
      getJSON(input.dataset.searchUrl + "?value=" + encodeURIComponent(value), pending.signal)
        .then(function (items) {
          var rows = items.map(function (item) { return renderRow(template, item); });
          if (!rows.length) {
            var tr = document.createElement("tr"), td = document.createElement("td");
            td.colSpan = table.tHead.rows[0].cells.length;
            td.className = "text-center text-body-secondary py-4";
            td.textContent = "Nothing starts with \u201c" + value + "\u201d.";
            tr.className = "empty-row";
            tr.appendChild(td);
            rows = [tr];
          }
          body.replaceChildren.apply(body, rows);
          if (pager) { pager.hidden = true; }
          status.textContent = items.length + (items.length === 1 ? " match" : " matches") + " for \u201c" + value + "\u201d";
          table.dataset.query = value;
        })
        .catch(function (err) {
          if (err.name !== "AbortError") { status.textContent = "Search failed: " + err.message; }
        });
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(run, 120);
    });
  }

  function brewerySuggestions(input) {
    var list = document.getElementById(input.getAttribute("list"));
    var pending = null, timer = null;
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        if (pending) { pending.abort(); }
        pending = new AbortController();
        getJSON(list.dataset.searchUrl + "?value=" + encodeURIComponent(input.value), pending.signal)
          .then(function (items) {
            list.replaceChildren.apply(list, items.map(function (item) {
              var opt = document.createElement("option");
              opt.value = item.id;
              opt.label = item.name + (item.city ? " (" + item.city + ")" : "");
              return opt;
            }));
          })
          .catch(function () {});
      }, 150);
    });
  }

  function likeButton(form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var button = form.querySelector("button");
      button.disabled = true;
      fetch(form.action, {
        method: "POST",
        headers: {"Accept": "application/json", "X-CSRF-Token": csrfToken(), "X-Requested-With": "fetch"}
      }).then(function (r) {
        if (!r.ok) { throw new Error("HTTP " + r.status); }
        return r.json();
      }).then(function (data) {
        form.action = data.liked ? form.dataset.unlikeUrl : form.dataset.likeUrl;
        button.classList.toggle("btn-danger", data.liked);
        button.classList.toggle("btn-outline-danger", !data.liked);
        button.setAttribute("aria-pressed", data.liked ? "true" : "false");
        button.querySelector("i").className = "bi " + (data.liked ? "bi-heart-fill" : "bi-heart");
        button.querySelector(".like-label").textContent = data.liked ? "Unlike" : "Like";
        document.getElementById("like-count").textContent = data.likes;
      }).catch(function () {
        form.submit();  // let the server answer with a page
      }).finally(function () {
        button.disabled = false;
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("input.live-search").forEach(liveSearch);
    document.querySelectorAll("input[list='brewery-options']").forEach(brewerySuggestions);
    document.querySelectorAll("form.like-form").forEach(likeButton);
  });
}());
