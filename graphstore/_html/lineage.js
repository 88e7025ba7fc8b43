// graphstore lineage page: selection, details panel, search, pan and zoom. No dependencies.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("lineage-data").textContent);
  var svg = document.getElementById("graph");
  var details = document.getElementById("details");
  var search = document.getElementById("search");
  var nodes = {}, edges = [], up = {}, down = {};
  Array.prototype.forEach.call(svg.querySelectorAll(".node"), function (g) { nodes[g.getAttribute("data-key")] = g; });
  Array.prototype.forEach.call(svg.querySelectorAll(".edge"), function (g) { edges.push(g); });
  data.edges.forEach(function (e) {
    (down[e[0]] = down[e[0]] || []).push(e[1]);
    (up[e[1]] = up[e[1]] || []).push(e[0]);
  });

  function reach(start, adj) {
    var seen = {}, queue = [start];
    seen[start] = true;
    while (queue.length) {
      (adj[queue.shift()] || []).forEach(function (n) { if (!seen[n]) { seen[n] = true; queue.push(n); } });
    }
    return seen;
  }

  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    if (cls) { e.className = cls; }
    return e;
  }

  function show(value) {
    return typeof value === "object" && value !== null ? JSON.stringify(value) : String(value);
  }

  function table(rows) {
    var t = el("table");
    rows.forEach(function (r) {
      var tr = el("tr");
      tr.appendChild(el("td", r[0]));
      var td = el("td");
      if (r[1] instanceof Node) { td.appendChild(r[1]); } else { td.textContent = show(r[1]); }
      tr.appendChild(td);
      t.appendChild(tr);
    });
    return t;
  }

  function links(keys) {
    var ul = el("ul");
    keys.slice().sort().forEach(function (k) {
      var li = el("li"), a = el("a", (data.nodes[k] || {}).title || k);
      a.addEventListener("click", function () { select(k); });
      li.appendChild(a);
      li.appendChild(document.createTextNode(" " + ((data.nodes[k] || {}).subtitle || "")));
      ul.appendChild(li);
    });
    return ul;
  }

  function panel(key, anc, desc) {
    var n = data.nodes[key];
    details.textContent = "";
    details.appendChild(el("h2", n.title));
    details.appendChild(el("p", key, "ref"));
    var custom = n.custom_properties || {};
    if (custom.graphstore_quarantine_reason) {
      details.appendChild(el("p", "Quarantined: " + custom.graphstore_quarantine_reason, "warn"));
    }
    var rows = [];
    ["type", "name", "uri", "state", "external_id", "created", "updated", "distance"].forEach(function (f) {
      if (n[f] !== undefined) { rows.push([f, n[f]]); }
    });
    if (n.path) { rows.push(["path", n.path.join(" → ")]); }
    rows.push(["upstream", (Object.keys(anc).length - 1) + " nodes"]);
    rows.push(["downstream", (Object.keys(desc).length - 1) + " nodes"]);
    details.appendChild(table(rows));
    [["properties", n.properties], ["custom properties", n.custom_properties]].forEach(function (p) {
      if (p[1] && Object.keys(p[1]).length) {
        details.appendChild(el("h3", p[0]));
        details.appendChild(table(Object.keys(p[1]).sort().map(function (k) { return [k, p[1][k]]; })));
      }
    });
    if (n.contexts) {
      details.appendChild(el("h3", "contexts"));
      var ul = el("ul");
      n.contexts.forEach(function (c) { ul.appendChild(el("li", c)); });
      details.appendChild(ul);
    }
    if ((up[key] || []).length) { details.appendChild(el("h3", "made from")); details.appendChild(links(up[key])); }
    if ((down[key] || []).length) { details.appendChild(el("h3", "used by / made")); details.appendChild(links(down[key])); }
  }

  function clear() {
    svg.classList.remove("focus");
    Object.keys(nodes).forEach(function (k) { nodes[k].classList.remove("on", "selected"); });
    edges.forEach(function (g) { g.classList.remove("on"); });
    details.textContent = "";
  }

  function select(key) {
    if (!data.nodes[key]) { return; }
    var anc = reach(key, up), desc = reach(key, down);
    svg.classList.add("focus");
    Object.keys(nodes).forEach(function (k) {
      nodes[k].classList.toggle("on", !!(anc[k] || desc[k]));
      nodes[k].classList.toggle("selected", k === key);
    });
    edges.forEach(function (g) {
      var s = g.getAttribute("data-s"), t = g.getAttribute("data-t");
      g.classList.toggle("on", !!((anc[s] && anc[t]) || (desc[s] && desc[t])));
    });
    panel(key, anc, desc);
  }

  Object.keys(nodes).forEach(function (k) {
    nodes[k].addEventListener("click", function (ev) { ev.stopPropagation(); select(k); });
    nodes[k].addEventListener("keydown", function (ev) { if (ev.key === "Enter") { select(k); } });
  });

  // search: dim everything that does not match
  search.addEventListener("input", function () {
    var q = search.value.trim().toLowerCase();
    svg.classList.toggle("searching", q.length > 0);
    Object.keys(nodes).forEach(function (k) {
      var n = data.nodes[k];
      var text = [k, n.title, n.subtitle, n.type, n.name, n.uri, n.state].join(" ").toLowerCase();
      nodes[k].classList.toggle("match", q.length > 0 && text.indexOf(q) >= 0);
    });
  });

  // pan and zoom by moving the viewBox
  var initial = svg.getAttribute("viewBox").split(" ").map(Number);
  var view = initial.slice();
  function apply() { svg.setAttribute("viewBox", view.map(function (v) { return v.toFixed(1); }).join(" ")); }
  function point(ev) {
    var r = svg.getBoundingClientRect();
    var scale = Math.max(view[2] / r.width, view[3] / r.height);
    var ox = (r.width * scale - view[2]) / 2, oy = (r.height * scale - view[3]) / 2;
    return [view[0] - ox + (ev.clientX - r.left) * scale, view[1] - oy + (ev.clientY - r.top) * scale, scale];
  }
  svg.addEventListener("wheel", function (ev) {
    ev.preventDefault();
    var p = point(ev), f = ev.deltaY > 0 ? 1.15 : 1 / 1.15;
    view = [p[0] - (p[0] - view[0]) * f, p[1] - (p[1] - view[1]) * f, view[2] * f, view[3] * f];
    apply();
  }, { passive: false });
  var drag = null;
  svg.addEventListener("mousedown", function (ev) { drag = { x: ev.clientX, y: ev.clientY, moved: false }; svg.classList.add("dragging"); });
  window.addEventListener("mousemove", function (ev) {
    if (!drag) { return; }
    var s = point(ev)[2];
    view[0] -= (ev.clientX - drag.x) * s;
    view[1] -= (ev.clientY - drag.y) * s;
    drag.moved = drag.moved || Math.abs(ev.clientX - drag.x) + Math.abs(ev.clientY - drag.y) > 2;
    drag.x = ev.clientX; drag.y = ev.clientY;
    apply();
  });
  window.addEventListener("mouseup", function () { svg.classList.remove("dragging"); setTimeout(function () { drag = null; }, 0); });
  svg.addEventListener("click", function () { if (!drag || !drag.moved) { clear(); } });
  document.getElementById("fit").addEventListener("click", function () { view = initial.slice(); apply(); });
  document.addEventListener("keydown", function (ev) {
    if (ev.key === "Escape") { clear(); search.value = ""; search.dispatchEvent(new Event("input")); }
  });
  if (location.hash.length > 1) { select(decodeURIComponent(location.hash.slice(1))); }
})();
