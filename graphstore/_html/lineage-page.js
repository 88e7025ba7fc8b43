// The self-contained HTML page (render.to_html): a details panel over GraphstoreLineage.View.
(function () {
  "use strict";
  var L = window.GraphstoreLineage, el = L.el;
  var data = JSON.parse(document.getElementById("lineage-data").textContent);
  var details = document.getElementById("details");
  var search = document.getElementById("search");
  var view;

  function links(keys) {
    var ul = el("ul");
    keys.slice().sort().forEach(function (k) {
      var li = el("li"), a = el("a", (data.nodes[k] || {}).title || k);
      a.addEventListener("click", function () { view.select(k); });
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
    details.appendChild(L.table(rows));
    [["properties", n.properties], ["custom properties", n.custom_properties]].forEach(function (p) {
      if (p[1] && Object.keys(p[1]).length) {
        details.appendChild(el("h3", p[0]));
        details.appendChild(L.table(Object.keys(p[1]).sort().map(function (k) { return [k, p[1][k]]; })));
      }
    });
    if (n.contexts) {
      details.appendChild(el("h3", "contexts"));
      var ul = el("ul");
      n.contexts.forEach(function (c) { ul.appendChild(el("li", c)); });
      details.appendChild(ul);
    }
    if ((view.up[key] || []).length) { details.appendChild(el("h3", "made from")); details.appendChild(links(view.up[key])); }
    if ((view.down[key] || []).length) { details.appendChild(el("h3", "used by / made")); details.appendChild(links(view.down[key])); }
  }

  view = new L.View(document.getElementById("graph"), {
    data: data, onSelect: panel, onClear: function () { details.textContent = ""; }
  });
  search.addEventListener("input", function () { view.find(search.value); });
  document.getElementById("fit").addEventListener("click", function () { view.fit(); });
  document.addEventListener("keydown", function (ev) {
    if (ev.key === "Escape") { view.clear(); search.value = ""; view.find(""); }
  });
  if (location.hash.length > 1) { view.select(decodeURIComponent(location.hash.slice(1))); }
})();
