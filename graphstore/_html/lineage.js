// graphstore lineage picture: selection, paths, search dimming, pan and zoom. No dependencies.
// Shared by the self-contained HTML page (render.to_html inlines it) and the web UI (served as
// /ui/static/lineage.js); both call GraphstoreLineage.View on an <svg> holding a <g id="viewport">.
(function (global) {
  "use strict";

  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    if (cls) { e.className = cls; }
    return e;
  }

  function show(value) {
    return typeof value === "object" && value !== null ? JSON.stringify(value) : String(value);
  }

  // rows: [label, value-or-Node]
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

  function reach(start, adj) {
    var seen = {}, queue = [start];
    seen[start] = true;
    while (queue.length) {
      (adj[queue.shift()] || []).forEach(function (n) { if (!seen[n]) { seen[n] = true; queue.push(n); } });
    }
    return seen;
  }

  // One picture in one <svg>: load() (re)indexes it, select()/clear()/find()/fit() drive it.
  // opts.onSelect(key, ancestors, descendants) and opts.onClear() tell the page.
  function View(svg, opts) {
    var self = this;
    this.svg = svg;
    this.opts = opts || {};
    this.data = { nodes: {}, edges: [] };
    this.nodes = {}; this.edges = []; this.up = {}; this.down = {};
    this.initial = (svg.getAttribute("viewBox") || "0 0 200 120").split(" ").map(Number);
    this.view = this.initial.slice();
    this.selected = null;
    var drag = null;
    svg.addEventListener("wheel", function (ev) {
      ev.preventDefault();
      var p = self.point(ev), f = ev.deltaY > 0 ? 1.15 : 1 / 1.15, v = self.view;
      self.view = [p[0] - (p[0] - v[0]) * f, p[1] - (p[1] - v[1]) * f, v[2] * f, v[3] * f];
      self.apply();
    }, { passive: false });
    svg.addEventListener("mousedown", function (ev) {
      drag = { x: ev.clientX, y: ev.clientY, moved: false };
      svg.classList.add("dragging");
    });
    global.addEventListener("mousemove", function (ev) {
      if (!drag) { return; }
      var s = self.point(ev)[2];
      self.view[0] -= (ev.clientX - drag.x) * s;
      self.view[1] -= (ev.clientY - drag.y) * s;
      drag.moved = drag.moved || Math.abs(ev.clientX - drag.x) + Math.abs(ev.clientY - drag.y) > 2;
      drag.x = ev.clientX; drag.y = ev.clientY;
      self.apply();
    });
    global.addEventListener("mouseup", function () {
      svg.classList.remove("dragging");
      setTimeout(function () { drag = null; }, 0);
    });
    svg.addEventListener("click", function (ev) {
      var g = ev.target.closest ? ev.target.closest(".node") : null;
      if (g) { self.select(g.getAttribute("data-key")); return; }
      if (!drag || !drag.moved) { self.clear(); }
    });
    svg.addEventListener("keydown", function (ev) {
      var g = ev.target.closest ? ev.target.closest(".node") : null;
      if (g && ev.key === "Enter") { self.select(g.getAttribute("data-key")); }
    });
    if (this.opts.data) { this.load(this.opts.data); }
  }

  // data: {nodes: {key: info}, edges: [[source, target, kind]]}; svg/viewBox replace the
  // picture when given (the web UI), else the <svg> already holds it (the HTML page).
  View.prototype.load = function (data, svgBody, viewBox) {
    var self = this;
    if (svgBody !== undefined) { this.svg.querySelector("#viewport").innerHTML = svgBody; }
    if (viewBox) {
      this.initial = viewBox.split(" ").map(Number);
      this.view = this.initial.slice();
      this.apply();
    }
    this.data = data;
    this.nodes = {}; this.edges = []; this.up = {}; this.down = {};
    Array.prototype.forEach.call(this.svg.querySelectorAll(".node"), function (g) {
      self.nodes[g.getAttribute("data-key")] = g;
    });
    Array.prototype.forEach.call(this.svg.querySelectorAll(".edge"), function (g) { self.edges.push(g); });
    data.edges.forEach(function (e) {
      (self.down[e[0]] = self.down[e[0]] || []).push(e[1]);
      (self.up[e[1]] = self.up[e[1]] || []).push(e[0]);
    });
  };

  View.prototype.apply = function () {
    this.svg.setAttribute("viewBox", this.view.map(function (v) { return v.toFixed(1); }).join(" "));
  };

  View.prototype.point = function (ev) {
    var r = this.svg.getBoundingClientRect(), v = this.view;
    var scale = Math.max(v[2] / r.width, v[3] / r.height);
    var ox = (r.width * scale - v[2]) / 2, oy = (r.height * scale - v[3]) / 2;
    return [v[0] - ox + (ev.clientX - r.left) * scale, v[1] - oy + (ev.clientY - r.top) * scale, scale];
  };

  View.prototype.fit = function () { this.view = this.initial.slice(); this.apply(); };

  View.prototype.clear = function () {
    var self = this;
    this.selected = null;
    this.svg.classList.remove("focus");
    Object.keys(this.nodes).forEach(function (k) { self.nodes[k].classList.remove("on", "selected"); });
    this.edges.forEach(function (g) { g.classList.remove("on"); });
    if (this.opts.onClear) { this.opts.onClear(); }
  };

  View.prototype.select = function (key) {
    var self = this;
    if (!this.data.nodes[key]) { return; }
    var anc = reach(key, this.up), desc = reach(key, this.down);
    this.selected = key;
    this.svg.classList.add("focus");
    Object.keys(this.nodes).forEach(function (k) {
      self.nodes[k].classList.toggle("on", !!(anc[k] || desc[k]));
      self.nodes[k].classList.toggle("selected", k === key);
    });
    this.edges.forEach(function (g) {
      var s = g.getAttribute("data-s"), t = g.getAttribute("data-t");
      g.classList.toggle("on", !!((anc[s] && anc[t]) || (desc[s] && desc[t])));
    });
    if (this.opts.onSelect) { this.opts.onSelect(key, anc, desc); }
  };

  // dim everything that does not match the text
  View.prototype.find = function (text) {
    var self = this, q = text.trim().toLowerCase();
    this.svg.classList.toggle("searching", q.length > 0);
    Object.keys(this.nodes).forEach(function (k) {
      var n = self.data.nodes[k] || {};
      var hay = [k, n.title, n.subtitle, n.type, n.name, n.uri, n.state].join(" ").toLowerCase();
      self.nodes[k].classList.toggle("match", q.length > 0 && hay.indexOf(q) >= 0);
    });
  };

  global.GraphstoreLineage = { View: View, el: el, show: show, table: table, reach: reach };
})(window);
