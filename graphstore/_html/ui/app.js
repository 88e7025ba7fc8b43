// graphstore web UI: search, node pages, the lineage picture (expand on click), impact with
// quarantine, comparison of two runs. Plain JS, no build step, nothing from outside the service.
// Routes live in the fragment: #/search?q=…, #/node/KEY, #/lineage/KEY, #/impact/KEY, #/compare/A/B.
// It reads graphstore's JSON API (/api/graphstore, see its openapi.json) and asks the UI's own
// /ui/api/picture only for the laid-out lineage picture. A KEY is kind:id (artifact:3).
const L = window.GraphstoreLineage, el = L.el;
const app = document.getElementById("app");
const errorBox = document.getElementById("error");
const tokenForm = document.getElementById("token-form");
const TOKEN_KEY = "graphstore.token";

// -- the API: the token kept in this tab's sessionStorage goes as a bearer token ---------------
class Unauthenticated extends Error {}

async function api(path, body) {
  const headers = { Accept: "application/json" };
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (token) { headers.Authorization = "Bearer " + token; }
  const init = { headers };
  if (body !== undefined) {
    init.method = "POST";
    headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const response = await fetch(BASE + path, init);
  if (response.status === 401) { throw new Unauthenticated("this service needs a token"); }
  const answer = await response.json().catch(() => ({}));
  if (!response.ok) {
    throw new Error((answer.error && answer.error.message) || response.status + " " + response.statusText);
  }
  return answer;
}

const API = "/api/graphstore";
// Served at /ns/NAME/, the page shows graphstore namespace NAME: every call goes under it.
const BASE = (location.pathname.match(/^\/ns\/[^/]+/) || [""])[0];
const NAMESPACE = BASE ? decodeURIComponent(BASE.slice(4)) : "";
if (NAMESPACE) {
  document.title = "graphstore · " + NAMESPACE;
  const badge = el("span", NAMESPACE, "namespace");
  badge.title = "graphstore namespace";
  document.querySelector("header h1").append(" ", badge);
}
const PAGE = 50;
const PICTURE_NODES = 1000;  // ui.picture_nodes in graphstore/limits.py
const PLURAL = { artifact: "artifacts", execution: "executions", context: "contexts" };
const QUARANTINE = "graphstore_quarantine_reason";

function parseKey(key) {
  const [kind, id] = (key || "").split(":");
  if (!PLURAL[kind] || !/^[0-9]+$/.test(id || "")) { throw new Error("not a node key (like artifact:3): " + key); }
  return { kind, id: Number(id), plural: PLURAL[kind] };
}

// the API's record (record_json: ref, enum values by name) as a row of a list
function summary(record) {
  const kind = record.kind || record.ref.split(":")[0];
  return { key: kind + ":" + record.id, kind, id: record.id, type: record.type, name: record.name, uri: record.uri,
    state: record.state || record.last_known_state, quarantined: !!(record.custom_properties || {})[QUARANTINE] };
}

// filter-language string literals: quotes and backslashes escaped (and LIKE's wildcards in like())
const literal = (text) => "'" + text.replace(/[\\']/g, (c) => "\\" + c) + "'";
const like = (text) => "'%" + text.replace(/[\\'%_]/g, (c) => "\\" + c) + "%'";
const SEARCHED = { artifact: ["name", "uri", "type"], execution: ["name", "type"], context: ["name", "type"] };

const qs = (params) => new URLSearchParams(Object.entries(params).filter(([, v]) => v != null)).toString();

function link(text, hash, cls) {
  const a = el("a", text, cls);
  a.href = hash;
  return a;
}

const label = (n) => (n.type || n.kind) + " #" + n.id + (n.name ? " " + n.name : "");

function nodeLink(n) {
  const a = link(label(n), "#/node/" + n.key);
  a.dataset.key = n.key;
  return a;
}

// a list of nodes; rows: summaries from the API
function nodeTable(rows, extra) {
  const t = el("table", null, "nodes");
  const head = el("tr");
  ["node", "kind", "state", "uri"].concat(extra ? extra.map((e) => e[0]) : []).forEach((h) => head.appendChild(el("th", h)));
  t.appendChild(head);
  rows.forEach((n) => {
    const tr = el("tr", null, n.quarantined ? "quarantined" : "");
    tr.dataset.key = n.key;
    const td = el("td");
    td.appendChild(nodeLink(n));
    tr.appendChild(td);
    [n.kind, (n.state || "") + (n.quarantined ? " (quarantined)" : ""), n.uri || ""].forEach((v) => tr.appendChild(el("td", v)));
    (extra || []).forEach((e) => tr.appendChild(el("td", e[1](n))));
    t.appendChild(tr);
  });
  return t;
}

function section(title, content) {
  const s = el("section");
  s.appendChild(el("h3", title));
  s.appendChild(content);
  return s;
}

function page(...children) {
  const div = el("div", null, "page");
  children.forEach((c) => div.appendChild(c));
  return div;
}

function actions(...items) {
  const div = el("div", null, "actions");
  items.forEach((i) => div.appendChild(i));
  return div;
}

function button(text, onClick, cls) {
  const b = el("button", text, cls);
  b.type = "button";
  b.addEventListener("click", onClick);
  return b;
}

// -- search ---------------------------------------------------------------------------------
const KIND_TITLES = { artifact: "artifacts", execution: "executions", context: "contexts" };

async function searchView(params) {
  const q = params.get("q") || "";
  document.getElementById("q").value = q;
  const div = page(el("h2", q ? "Search: " + q : "Everything"));
  div.id = "search-results";
  for (const kind of Object.keys(KIND_TITLES)) {
    const part = await searchPage(kind, q, null);
    const s = section(KIND_TITLES[kind], part.items.length ? nodeTable(part.items) : el("p", "none", "muted"));
    s.dataset.kind = kind;
    if (part.next_page) { s.appendChild(moreButton(s, kind, q, part.next_page)); }
    div.appendChild(s);
  }
  return div;
}

// a page of nodes whose name, uri or type contains q (every node when q is empty)
async function searchPage(kind, q, token) {
  const filter = q.trim() ? SEARCHED[kind].map((f) => f + " LIKE " + like(q.trim())).join(" OR ") : null;
  const got = await api(API + "/" + PLURAL[kind] + "?" + qs({ filter_query: filter, limit: PAGE, next_page_token: token }));
  return { items: got.items.map(summary), next_page: got.next_page_token };
}

function moreButton(s, kind, q, token) {
  return button("more " + KIND_TITLES[kind], async (ev) => {
    ev.target.remove();
    const more = await searchPage(kind, q, token);
    s.appendChild(nodeTable(more.items));
    if (more.next_page) { s.appendChild(moreButton(s, kind, q, more.next_page)); }
  });
}

// -- a node ---------------------------------------------------------------------------------
function recordTable(n, record) {
  const rows = [["kind", n.kind]];
  if (n.state) { rows.push(["state", n.state]); }
  ["id", "type", "name", "uri", "external_id"].forEach((f) => {
    if (record[f] !== undefined && record[f] !== "") { rows.push([f, record[f]]); }
  });
  [["created", "create_time_since_epoch"], ["updated", "last_update_time_since_epoch"]].forEach(([name, f]) => {
    if (record[f]) { rows.push([name, new Date(record[f]).toISOString()]); }
  });
  return L.table(rows);
}

function propertyTable(props) {
  return L.table(Object.keys(props).sort().map((k) => [k, props[k]]));
}

// a page of neighbours with "more" while the API has a next cursor
// one page of the nodes one hop up- or downstream
async function neighbours(key, direction, cursor) {
  const k = parseKey(key);
  const got = await api(API + "/" + k.plural + "/" + k.id + "/" + direction + "?" +
    qs({ max_hops: 1, limit: PAGE, cursor }));
  return { total: got.total, next_cursor: got.next_cursor, items: got.nodes.map((n) => summary(n.node)) };
}

async function neighbourSection(title, key, direction) {
  const s = el("section");
  s.dataset.direction = direction;
  const load = async (cursor) => {
    const got = await neighbours(key, direction, cursor);
    s.querySelector("h3").textContent = title + " (" + got.total + ")";
    s.appendChild(got.items.length ? nodeTable(got.items) : el("p", "none", "muted"));
    if (got.next_cursor) {
      s.appendChild(button("more", (ev) => { ev.target.remove(); load(got.next_cursor); }));
    }
  };
  s.appendChild(el("h3", title));
  await load(null);
  return s;
}

async function nodeView(key) {
  const k = parseKey(key);
  const answer = await api(API + "/" + k.plural + "/" + k.id);
  const record = answer.node, n = summary(record);
  if (k.kind === "context") {
    for (const kind of ["artifact", "execution"]) {
      const got = await api(API + "/" + PLURAL[kind] + "?" + qs({ context_id: k.id, limit: PAGE }));
      answer[PLURAL[kind]] = got.items;
    }
  }
  const div = page(el("h2", label(n)), el("p", n.key, "ref"));
  div.id = "node-page";
  const custom = record.custom_properties || {};
  if (custom.graphstore_quarantine_reason) {
    div.appendChild(el("p", "Quarantined: " + show(custom.graphstore_quarantine_reason), "warn quarantine"));
  }
  if (n.kind !== "context") {
    const acts = [link("Lineage", "#/lineage/" + n.key), link("Compare with…", "#/compare/" + n.key)];
    if (n.kind === "artifact") { acts.push(link("Impact", "#/impact/" + n.key)); }
    div.appendChild(actions(...acts));
  }
  const cols = el("div", null, "cols");
  const left = el("section");
  left.appendChild(el("h3", "record"));
  left.appendChild(recordTable(n, record));
  for (const [title, props] of [["properties", record.properties], ["custom properties", record.custom_properties]]) {
    if (props && Object.keys(props).length) { left.appendChild(el("h3", title)); left.appendChild(propertyTable(props)); }
  }
  cols.appendChild(left);
  const right = el("section");
  if (n.kind === "context") {
    for (const part of ["parents", "children", "executions", "artifacts"]) {
      if (answer[part].length || part === "executions" || part === "artifacts") {
        const rows = answer[part].map(summary);
        right.appendChild(section(part, rows.length ? nodeTable(rows) : el("p", "none", "muted")));
      }
    }
  } else {
    const contexts = answer.contexts.map(summary);
    right.appendChild(section("contexts", contexts.length ? nodeTable(contexts) : el("p", "none", "muted")));
    const [up, down] = n.kind === "artifact" ? ["made by", "used by"] : ["inputs", "outputs"];
    right.appendChild(await neighbourSection(up, n.key, "upstream"));
    right.appendChild(await neighbourSection(down, n.key, "downstream"));
  }
  cols.appendChild(right);
  div.appendChild(cols);
  return div;
}

const show = L.show;

// -- the lineage picture: the shown nodes live here, the server lays them out ------------------
function svgElement() {
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.id = "graph";
  svg.setAttribute("viewBox", "0 0 200 120");
  svg.innerHTML = '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" ' +
    'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z"></path></marker><marker id="arrow-on" viewBox="0 0 10 10" ' +
    'refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z"></path>' +
    '</marker></defs><g id="viewport"></g>';
  return svg;
}

// a small picture is not blown up past its natural size: pad its viewBox to the screen's shape
function padded(viewBox, least) {
  const [x, y, w, h] = viewBox.split(" ").map(Number);
  const pw = Math.max(w, least[0]), ph = Math.max(h, least[1]);
  return [x - (pw - w) / 2, y - (ph - h) / 2, pw, ph].map((v) => v.toFixed(1)).join(" ");
}

class Picture {
  constructor(container, start, onPanel, least) {
    this.least = least || [900, 520];
    this.shown = new Set([start]);
    this.start = [start];
    this.expanded = {};  // key -> {upstream: cursor|null|undefined, downstream: …}
    this.svg = svgElement();
    container.appendChild(this.svg);
    this.onPanel = onPanel;
    this.view = new L.View(this.svg, { onSelect: (key) => this.onPanel(key), onClear: () => this.onPanel(null) });
    this.svg.addEventListener("dblclick", (ev) => {
      const g = ev.target.closest(".node");
      if (g) { this.expand(g.dataset.key, "both"); }
    });
  }

  async draw() {
    const parts = await api("/ui/api/picture", { nodes: Array.from(this.shown), start: this.start });
    this.parts = parts;
    const selected = this.view.selected;
    this.view.load(parts.data, parts.svg, padded(parts.viewBox, this.least));
    this.svg.dataset.nodes = String(Object.keys(parts.data.nodes).length);
    if (selected) { this.view.select(selected); }
  }

  // one more page of neighbours in one direction ("both": each); redraws once
  async expand(key, direction) {
    const state = (this.expanded[key] = this.expanded[key] || {});
    for (const d of direction === "both" ? ["upstream", "downstream"] : [direction]) {
      if (state[d] === null) { continue; }  // every page already shown
      const got = await neighbours(key, d, state[d]);
      got.items.forEach((n) => this.shown.add(n.key));
      state[d] = got.next_cursor;
      state[d + "_total"] = got.total;
    }
    await this.draw();
    if (!this.view.selected) { this.view.select(key); } else { this.onPanel(this.view.selected); }
  }

  more(key, direction) {
    const state = this.expanded[key] || {};
    if (state[direction] === undefined) { return "expand " + direction; }
    return state[direction] === null ? null : "more " + direction + " (" + state[direction + "_total"] + " in all)";
  }
}

async function lineageView(key) {
  const div = el("div", null, "lineage-view");
  const panel = el("aside");
  panel.id = "panel";
  const details = el("div");
  details.id = "details";
  const hint = el("p", "Click a node for its details, double-click (or the buttons) to expand it. Drag to pan, scroll to zoom.", "hint");
  const picture = new Picture(div, key, (k) => {
    details.textContent = "";
    if (!k) { return; }
    const n = picture.parts.data.nodes[k];
    details.appendChild(el("h2", n.title));
    details.appendChild(el("p", k, "ref"));
    if ((n.custom_properties || {}).graphstore_quarantine_reason) { details.appendChild(el("p", "quarantined", "warn")); }
    const rows = ["type", "name", "uri", "state"].filter((f) => n[f] !== undefined).map((f) => [f, n[f]]);
    details.appendChild(L.table(rows));
    const acts = [link("Open node page", "#/node/" + k)];
    for (const d of ["upstream", "downstream"]) {
      const text = picture.more(k, d);
      if (text) {
        const b = button(text, () => picture.expand(k, d));
        b.dataset.expand = d;
        acts.push(b);
      }
    }
    details.appendChild(actions(...acts));
  });
  panel.appendChild(hint);
  const fit = button("Fit", () => picture.view.fit());
  const find = el("input");
  find.id = "find";
  find.type = "search";
  find.placeholder = "find in the picture…";
  find.addEventListener("input", () => picture.view.find(find.value));
  panel.appendChild(actions(fit, find));
  panel.appendChild(details);
  div.appendChild(panel);
  await picture.expand(key, "both");
  return div;
}

// -- impact and quarantine --------------------------------------------------------------------
async function impactView(key) {
  const div = page(el("h2", "Impact of " + key), el("p", "Everything built from this artifact, nearest first.", "muted"));
  div.id = "impact-page";
  const status = el("p", "", "status");
  const reason = el("input");
  reason.id = "reason";
  reason.placeholder = "reason, e.g. corrupt upload";
  const body = el("div");
  const root = parseKey(key).id;
  const read = async (mark) => {
    const report = await api(API + "/impact", mark === undefined ? { artifact_ids: [root] } : { artifact_ids: [root], mark });
    const self = summary((await api(API + "/artifacts/" + root)).node);
    return { marked: report.marked, node: self, contexts: report.contexts.map(summary),
      nodes: report.nodes.map((n) => Object.assign(summary(n.node), { distance: n.distance })) };
  };
  // the picture of the root and what it reaches (quarantined nodes dashed red); a click selects
  const frame = el("div", null, "impact-picture");
  const picture = new Picture(frame, key, () => {}, [700, 220]);
  const render = async (report) => {
    picture.shown = new Set([key].concat(report.nodes.slice(0, PICTURE_NODES - 1).map((n) => n.key)));
    await picture.draw();
    body.textContent = "";
    const marked = report.nodes.filter((n) => n.quarantined).length;
    body.appendChild(el("p", report.nodes.length + " nodes downstream, " + marked + " quarantined" +
      (report.node.quarantined ? "; this artifact is quarantined" : ""), "summary"));
    const down = section("downstream", nodeTable(report.nodes, [["distance", (n) => n.distance]]));
    down.dataset.part = "downstream";
    body.appendChild(down);
    body.appendChild(section("contexts", report.contexts.length ? nodeTable(report.contexts) : el("p", "none", "muted")));
  };
  const mark = button("Mark quarantine", async () => {
    const report = await read(reason.value || "marked in the web UI");
    await render(await read());  // the marking answer holds the nodes as they were
    status.textContent = "marked " + report.marked + " nodes";
  }, "danger");
  mark.id = "mark";
  const unmark = button("Unmark", async () => {
    const got = await api(API + "/impact/unmark", { root_artifact_ids: [root] });
    await render(await read());
    status.textContent = "unmarked " + got.unmarked + " nodes";
  });
  unmark.id = "unmark";
  div.appendChild(actions(link("Node page", "#/node/" + key), reason, mark, unmark));
  div.appendChild(status);
  div.appendChild(frame);
  div.appendChild(body);
  await render(await read());
  return div;
}

// -- comparing two runs -----------------------------------------------------------------------
async function compareView(left, right) {
  const div = page();
  div.id = "compare-page";
  if (!right) {
    const k = parseKey(left);
    const n = summary((await api(API + "/" + k.plural + "/" + k.id)).node);
    div.appendChild(el("h2", "Compare " + label(n) + " with…"));
    const same = await api(API + "/" + k.plural + "?" + qs({ filter_query: "type = " + literal(n.type), limit: PAGE }));
    const candidates = same.items.map(summary).filter((c) => c.key !== left);
    const t = nodeTable(candidates, [["", () => ""]]);
    Array.from(t.querySelectorAll("tr[data-key]")).forEach((tr) => {
      tr.lastChild.appendChild(link("compare", "#/compare/" + left + "/" + tr.dataset.key, "pick"));
    });
    div.appendChild(candidates.length ? t : el("p", "nothing else of type " + n.type, "muted"));
    return div;
  }
  const [l, r] = [parseKey(left), parseKey(right)];
  if (l.kind !== r.kind) { throw new Error("compare two nodes of one kind, not " + left + " and " + right); }
  const cmp = await api(API + "/compare?" + qs({ kind: l.kind, left: l.id, right: r.id }));
  cmp.left = summary((await api(API + "/" + l.plural + "/" + l.id)).node);
  cmp.right = summary((await api(API + "/" + r.plural + "/" + r.id)).node);
  div.appendChild(el("h2", "Compare " + label(cmp.left) + " and " + label(cmp.right)));
  div.appendChild(actions(nodeLink(cmp.left), nodeLink(cmp.right)));
  const diff = el("table", null, "diff properties");
  const head = el("tr");
  ["field", label(cmp.left), label(cmp.right)].forEach((h) => head.appendChild(el("th", h)));
  diff.appendChild(head);
  cmp.properties.forEach((p) => {
    const tr = el("tr");
    tr.appendChild(el("td", p.field));
    tr.appendChild(el("td", p.left === null ? "—" : show(p.left), "left"));
    tr.appendChild(el("td", p.right === null ? "—" : show(p.right), "right"));
    diff.appendChild(tr);
  });
  div.appendChild(section("differences", cmp.properties.length ? diff : el("p", "same properties", "muted")));
  const lin = el("table", null, "diff lineage");
  const lhead = el("tr");
  ["depth", "type", "only left", "only right"].forEach((h) => lhead.appendChild(el("th", h)));
  lin.appendChild(lhead);
  // artifact ids as links to their pages
  const artifacts = (ids) => {
    const span = el("span", ids.length ? null : "none");
    ids.forEach((i, n) => {
      if (n) { span.appendChild(document.createTextNode(", ")); }
      span.appendChild(link("artifact:" + i, "#/node/artifact:" + i));
    });
    return span;
  };
  cmp.lineage.forEach((d) => {
    const tr = el("tr");
    tr.appendChild(el("td", d.depth));
    tr.appendChild(el("td", d.type || ""));
    [d.only_left, d.only_right].forEach((ids) => { const td = el("td"); td.appendChild(artifacts(ids)); tr.appendChild(td); });
    lin.appendChild(tr);
  });
  div.appendChild(section("upstream differences", cmp.lineage.length ? lin : el("p", "same upstream", "muted")));
  const shared = section("shared upstream", artifacts(cmp.shared_upstream));
  shared.dataset.part = "shared";
  div.appendChild(shared);
  return div;
}

// -- routing ----------------------------------------------------------------------------------
async function route() {
  const [path, query] = location.hash.replace(/^#/, "").split("?");
  const parts = path.split("/").filter(Boolean).map(decodeURIComponent);
  const params = new URLSearchParams(query || "");
  errorBox.hidden = true;
  let view;
  try {
    if (parts[0] === "node") { view = await nodeView(parts[1]); }
    else if (parts[0] === "lineage") { view = await lineageView(parts[1]); }
    else if (parts[0] === "impact") { view = await impactView(parts[1]); }
    else if (parts[0] === "compare") { view = await compareView(parts[1], parts[2]); }
    else { view = await searchView(params); }
  } catch (exc) {
    if (exc instanceof Unauthenticated) { askToken(); }
    errorBox.textContent = exc.message;
    errorBox.hidden = false;
    return;
  }
  app.textContent = "";
  app.appendChild(view);
  document.body.dataset.ready = location.hash || "#/";
}

function askToken() {
  tokenForm.hidden = false;
  document.getElementById("token").focus();
}

tokenForm.addEventListener("submit", (ev) => {
  ev.preventDefault();
  sessionStorage.setItem(TOKEN_KEY, document.getElementById("token").value);
  document.getElementById("token").value = "";
  tokenForm.hidden = true;
  document.getElementById("signout").hidden = false;
  route();
});
document.getElementById("signout").addEventListener("click", () => {
  sessionStorage.removeItem(TOKEN_KEY);
  document.getElementById("signout").hidden = true;
  route();
});
document.getElementById("signout").hidden = !sessionStorage.getItem(TOKEN_KEY);
document.getElementById("search-form").addEventListener("submit", (ev) => {
  ev.preventDefault();
  location.hash = "#/search?" + qs({ q: document.getElementById("q").value });
});
// errors from buttons (mark, expand, more) show in the same box
window.addEventListener("unhandledrejection", (ev) => {
  if (ev.reason instanceof Unauthenticated) { askToken(); }
  errorBox.textContent = ev.reason && ev.reason.message ? ev.reason.message : String(ev.reason);
  errorBox.hidden = false;
});
window.addEventListener("hashchange", route);
route();
