(function () {
  "use strict";
  // Data arrives as JSON text and is only ever used as data: labels and tooltips are strings
  // (vis-network shows string titles as text); search options are filled via DOM properties.
  var payload = JSON.parse(document.getElementById("finflow-data").textContent);
  var nodes = new vis.DataSet(payload.nodes);
  var edges = new vis.DataSet(payload.edges);
  var container = document.getElementById("graph");
  var network = new vis.Network(container, { nodes: nodes, edges: edges }, payload.options);
  window.finflow = { network: network, nodes: nodes, edges: edges, ready: false };

  function ready() {
    network.setOptions({ physics: { enabled: false } });
    window.finflow.ready = true;
    document.body.setAttribute("data-ready", "1");
  }
  if (payload.layout === "physics" && payload.nodes.length > 0) {
    network.once("stabilizationIterationsDone", function () {
      ready();
      network.fit();
    });
  } else {
    ready();
  }

  var input = document.getElementById("search");
  var list = document.getElementById("search-list");
  var status = document.getElementById("search-status");
  payload.nodes.forEach(function (node) {
    var option = document.createElement("option");
    option.value = node.search;
    list.appendChild(option);
  });
  // The same folding as finflow/views/search.py: case, accents, letters without a decomposition.
  var FOLD = { "ø": "o", "æ": "ae", "ł": "l", "đ": "d", "ß": "ss", "ð": "d", "þ": "th", "œ": "oe", "ı": "i" };
  function fold(text) {
    var plain = text.toLowerCase().normalize("NFD").replace(/[\u0300-\u036f]/g, "");
    var out = "";
    for (var i = 0; i < plain.length; i++) { out += FOLD[plain[i]] || plain[i]; }
    return out.split(/\s+/).filter(Boolean).join(" ");
  }
  function digits(text) {
    var compact = text.replace(/[\s.\-]/g, "");
    if (/^[A-Za-z]{2}\d{2}[0-9A-Za-z]+$/.test(compact)) { compact = compact.slice(4); }
    return /^\d+$/.test(compact) ? compact : "";
  }
  function find(event) {
    if (event) { event.preventDefault(); }
    var raw = input.value.trim();
    if (!raw) { return; }
    var query = fold(raw);
    var number = digits(raw);
    var hits = nodes.get({
      filter: function (node) {
        if (number.length >= 4 && node.digits && node.digits.indexOf(number) !== -1) { return true; }
        return node.find.indexOf(query) !== -1;
      }
    });
    var exact = hits.filter(function (node) {
      return node.find === query || (number && node.digits === number);
    });
    var chosen = exact.length ? exact : hits;
    status.textContent = hits.length + (hits.length === 1 ? " match" : " matches");
    if (!chosen.length) { network.unselectAll(); return; }
    network.selectNodes(chosen.map(function (node) { return node.id; }));
    network.focus(chosen[0].id, { scale: 1.2, animation: false });
  }
  document.getElementById("search-form").addEventListener("submit", find);
})();
