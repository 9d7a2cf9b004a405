// The sample browser of a reasoncraft report: no network, no library. Each sample set is a JSON block
// (<script type="application/json" id="rc-ds-N-0">, then -1, -2, ... of 2,000 rows each) parsed when first shown; a page of rows is built
// with textContent (model output is never parsed as HTML). Row keys are described in report/browse.py.
(function () {
  "use strict";
  var index = JSON.parse(document.getElementById("rc-index").textContent);
  if (!index.length) return;
  var LABELS = {
    all: "all", correct: "correct", wrong: "wrong", unextractable: "no answer extracted",
    failure: "scoring failure", cut: "cut at the length limit", improved: "wrong before, right after",
    regressed: "right before, wrong after", "right-both": "right before and after",
    "wrong-both": "wrong before and after", rewarded: "reward > 0", unrewarded: "reward <= 0"
  };
  var FILTERS = {
    all: function () { return true; },
    correct: function (r) { return r.v === 1; },
    wrong: function (r) { return r.v === 0; },
    unextractable: function (r) { return r.x === undefined && !r.f; },
    failure: function (r) { return !!r.f; },
    cut: function (r) { return r.e === "length"; },
    improved: function (r) { return r.a.v !== 1 && r.b.v === 1; },
    regressed: function (r) { return r.a.v === 1 && r.b.v !== 1; },
    "right-both": function (r) { return r.a.v === 1 && r.b.v === 1; },
    "wrong-both": function (r) { return r.a.v !== 1 && r.b.v !== 1; },
    rewarded: function (r) { return r.r > 0; },
    unrewarded: function (r) { return !(r.r > 0); }
  };
  var cache = {};
  var state = { ds: 0, filter: "all", group: "", query: "", page: 0, size: 20, matches: [] };
  var $ = function (id) { return document.getElementById(id); };

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function load(i) {
    if (!cache[i]) {
      var data = JSON.parse($("rc-ds-" + i + "-0").textContent);
      for (var j = 1, block; (block = $("rc-ds-" + i + "-" + j)); j++) {
        data.rows = data.rows.concat(JSON.parse(block.textContent).rows);
      }
      data.haystack = null;
      cache[i] = data;
    }
    return cache[i];
  }
  function text(r, data) {
    var q = (data.problems[r.p] || {}).q || "";
    if (r.a && typeof r.a === "object") return [r.p, q, r.a.c, r.a.x, r.b.c, r.b.x].join("\n").toLowerCase();
    return [r.p, q, r.c, r.x].join("\n").toLowerCase();
  }
  function option(value, label) {
    var o = el("option", null, label);
    o.value = value;
    return o;
  }

  function chooseDataset(i) {
    state.ds = i; state.filter = "all"; state.group = ""; state.page = 0;
    var data = load(i), meta = index[i];
    var filter = $("rc-filter"), group = $("rc-group");
    filter.textContent = ""; group.textContent = "";
    ["all"].concat(meta.filters).forEach(function (name) {
      var n = name === "all" ? data.rows.length : data.rows.filter(FILTERS[name]).length;
      filter.appendChild(option(name, LABELS[name] + " (" + n + ")"));
    });
    var groups = [];
    data.rows.forEach(function (r) { if (r.k !== undefined && groups.indexOf(r.k) < 0) groups.push(r.k); });
    group.appendChild(option("", "every " + meta.group));
    groups.forEach(function (g) { group.appendChild(option(g, g)); });
    group.style.display = groups.length > 1 ? "" : "none";
    update();
  }

  function update() {
    var data = load(state.ds), test = FILTERS[state.filter], query = state.query.toLowerCase();
    if (query && !data.haystack) data.haystack = data.rows.map(function (r) { return text(r, data); });
    var matches = [];
    for (var i = 0; i < data.rows.length; i++) {
      var r = data.rows[i];
      if (!test(r)) continue;
      if (state.group && r.k !== state.group) continue;
      if (query && data.haystack[i].indexOf(query) < 0) continue;
      matches.push(i);
    }
    state.matches = matches;
    var pages = Math.max(1, Math.ceil(matches.length / state.size));
    state.page = Math.min(state.page, pages - 1);
    var count = $("rc-count");
    count.setAttribute("data-count", matches.length);
    count.textContent = matches.length + " of " + data.rows.length + " shown";
    $("rc-page").textContent = "page " + (state.page + 1) + " of " + pages;
    render();
  }

  function verdict(v) {
    return v === 1 ? ["correct", "ok"] : v === 0 ? ["wrong", "bad"] : ["no verdict", "none"];
  }
  function fmt(x) { return typeof x === "number" ? (Math.round(x * 1000) / 1000).toString() : String(x); }

  function body(r, problem) {
    var box = el("div", "body");
    var v = verdict(r.v);
    var head = el("div", "meta");
    if (r.v !== undefined) head.appendChild(el("span", "badge " + v[1], v[0]));
    if (r.f) head.appendChild(el("span", "badge fail", "scoring failure"));
    if (r.e === "length") head.appendChild(el("span", "badge cut", "cut at the length limit"));
    var facts = [];
    if (r.r !== undefined) facts.push("reward " + fmt(r.r));
    if (r.a !== undefined && typeof r.a === "number") facts.push("advantage " + fmt(r.a));
    if (r.n !== undefined) facts.push(r.n + " tokens");
    if (r.e && r.e !== "length") facts.push("finish: " + r.e);
    head.appendChild(el("span", "facts", facts.join(" · ")));
    box.appendChild(head);
    var shown = r.c === undefined ? "(no completion text in this file)" :
      r.c.trim() === "" ? "(only whitespace: " + JSON.stringify(r.c) + ")" : r.c;
    box.appendChild(el("pre", "completion", shown));
    var answers = el("div", "answers");
    answers.appendChild(el("span", null, "extracted: "));
    answers.appendChild(el("code", r.x === undefined ? "missing" : null, r.x === undefined ? "none" : r.x));
    if (problem && problem.g !== undefined) {
      answers.appendChild(el("span", null, "  gold: "));
      answers.appendChild(el("code", null, problem.g));
    }
    box.appendChild(answers);
    if (r.b) {
      var parts = Object.keys(r.b).map(function (k) {
        var value = r.b[k];
        return k + " = " + (value && typeof value === "object" ? JSON.stringify(value) : fmt(value));
      });
      box.appendChild(el("div", "breakdown", "reward breakdown: " + parts.join(", ")));
    }
    if (r.f) box.appendChild(el("div", "failure", "scoring failure: " + r.f));
    if (r.m) {
      var list = el("ol", "candidates");
      r.m.forEach(function (c) {
        var item = el("li", c.pick ? "pick" : null);
        item.appendChild(el("span", "facts", (c.pick ? "picked · " : "") + "score " +
          (c.s === undefined ? "-" : fmt(c.s)) + " · answer " + (c.x === undefined ? "none" : c.x)));
        item.appendChild(el("pre", "completion", c.c || ""));
        list.appendChild(item);
      });
      var details = el("details", "cands");
      details.appendChild(el("summary", null, r.m.length + " candidates"));
      details.appendChild(list);
      box.appendChild(details);
    }
    return box;
  }

  function card(r, data) {
    var problem = data.problems[r.p] || {};
    var article = el("article", "sample");
    var title = el("header");
    title.appendChild(el("b", null, r.p));
    if (r.i !== undefined && index[state.ds].kind !== "rollout") title.appendChild(el("span", "facts", " sample " + r.i));
    if (r.k !== undefined) title.appendChild(el("span", "facts", " · " + r.k));
    article.appendChild(title);
    if (problem.q) {
      var prompt = el("details", "prompt");
      prompt.appendChild(el("summary", null, "prompt"));
      prompt.appendChild(el("pre", null, problem.q));
      article.appendChild(prompt);
    }
    if (r.a && typeof r.a === "object") {
      var sides = el("div", "sides");
      [["before training", r.a], ["after training", r.b]].forEach(function (side) {
        var column = el("div", "side");
        column.appendChild(el("h4", null, side[0]));
        column.appendChild(body(side[1], problem));
        sides.appendChild(column);
      });
      article.appendChild(sides);
    } else {
      article.appendChild(body(r, problem));
    }
    return article;
  }

  function render() {
    var data = load(state.ds), list = $("rc-samples");
    list.textContent = "";
    var start = state.page * state.size;
    state.matches.slice(start, start + state.size).forEach(function (i) {
      list.appendChild(card(data.rows[i], data));
    });
  }

  var select = $("rc-dataset");
  index.forEach(function (meta, i) { select.appendChild(option(i, meta.title + " (" + meta.count + ")")); });
  select.addEventListener("change", function () { chooseDataset(+select.value); });
  $("rc-filter").addEventListener("change", function (e) { state.filter = e.target.value; state.page = 0; update(); });
  $("rc-group").addEventListener("change", function (e) { state.group = e.target.value; state.page = 0; update(); });
  $("rc-size").addEventListener("change", function (e) { state.size = +e.target.value; state.page = 0; update(); });
  var timer = null;
  $("rc-search").addEventListener("input", function (e) {
    clearTimeout(timer);
    timer = setTimeout(function () { state.query = e.target.value; state.page = 0; update(); }, 150);
  });
  $("rc-prev").addEventListener("click", function () { if (state.page > 0) { state.page--; update(); } });
  $("rc-next").addEventListener("click", function () {
    if ((state.page + 1) * state.size < state.matches.length) { state.page++; update(); }
  });
  // The first sample set is parsed after the page's first paint, so tables and plots show at once.
  requestAnimationFrame(function () { setTimeout(function () { chooseDataset(0); }, 0); });
})();
