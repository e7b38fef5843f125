/* The field app (离线登记): visits, talks and pairing progress typed with or without a network, kept on the device
   (FieldDB, IndexedDB) as "待同步", and sent to the integration API when the network is there:
   POST /api/v1/visits/, /api/v1/talks/ or /api/v1/pairings/<id>/progress/ with the page's session, the CSRF token from /api/v1/me/ and
   the entry's own Idempotency-Key, made once when it was saved. A resend (the answer was lost, the
   page reloaded) carries the same key, so the server makes nothing twice. An entry the server refuses
   stays here with the server's message until the user corrects it (a fresh key: a refused write keeps
   none) or discards it. The server's rules are the API's: nothing is checked here that is not
   checked there. */
(function () {
  "use strict";
  var body = document.body;
  var DB = window.FieldDB;
  var state = {me: null, work: null, syncing: false, csrf: null};
  var ROUTES = {visit: "/api/v1/visits/", talk: "/api/v1/talks/"};
  var KIND_LABELS = {visit: "走访", talk: "谈心谈话", progress: "帮扶进展"};
  var FORMS = ["visit", "talk", "progress"];
  var REFUSALS = [400, 403, 404, 409, 422];

  function $(selector) { return document.querySelector(selector); }
  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) { node.setAttribute(name, attrs[name]); });
    if (text !== undefined) { node.textContent = text; }
    return node;
  }
  function today() {
    var now = new Date();
    return new Date(now.getTime() - now.getTimezoneOffset() * 60000).toISOString().slice(0, 10);
  }
  function newKey() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    var bytes = crypto.getRandomValues(new Uint8Array(16));
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }
  function say(text, tone) {
    var box = $("#sync-status");
    box.className = "alert py-2 alert-" + (tone || "info");
    box.textContent = text;
  }

  // --- who is signed in, and the work list ------------------------------------------------------

  function fetchMe() {
    return fetch("/api/v1/me/", {credentials: "same-origin", headers: {Accept: "application/json"}})
      .then(function (response) {
        if (response.status === 401 || response.status === 403) { return null; }
        if (!response.ok) { throw new Error("me " + response.status); }
        return response.json();
      });
  }

  function loadWork() {
    return DB.getMeta("work").then(function (saved) {
      if (!navigator.onLine) { return saved; }
      return fetch(body.dataset.worklist, {credentials: "same-origin", headers: {Accept: "application/json"}})
        .then(function (response) {
          if (!response.ok) { return saved; }
          return response.json().then(function (data) {
            var work = {user: state.me.id, name: state.me.display_name, data: data};
            return DB.setMeta("work", work).then(function () { return work; });
          });
        })
        .catch(function () { return saved; });
    });
  }

  function nameOf(id) {
    var work = state.work && state.work.data;
    if (!work) { return "#" + id; }
    var all = work.members.concat(work.prompts.map(function (p) { return {id: p.member, name: p.name}; }));
    var hit = all.filter(function (m) { return m.id === id; })[0];
    return hit ? hit.name : "#" + id;
  }

  function options(select, rows, selected) {
    select.textContent = "";
    rows.forEach(function (row) {
      var option = el("option", {value: row.value}, row.label);
      if ((selected || []).indexOf(String(row.value)) !== -1) { option.selected = true; }
      select.appendChild(option);
    });
  }

  function renderWork() {
    var work = state.work && state.work.data;
    var who = $("#who");
    if (!work) {
      who.textContent = "";
      who.appendChild(document.createTextNode(navigator.onLine ? "请先" : "本机还没有工作清单：请联网后"));
      who.appendChild(el("a", {href: body.dataset.login + "?next=" + encodeURIComponent(location.pathname)}, "登录"));
      who.appendChild(document.createTextNode(navigator.onLine ? "。" : "并打开一次本页。"));
      return;
    }
    who.textContent = state.work.name + " · 工作清单更新于 " + work.day;
    var people = work.members.map(function (m) { return {value: m.id, label: m.name}; });
    var extra = work.prompts.filter(function (p) {
      return !work.members.some(function (m) { return m.id === p.member; });
    }).map(function (p) { return {value: p.member, label: p.name}; });
    var me = work.me ? [String(work.me)] : [];
    options($("#visit-member"), [{value: "", label: "请选择"}].concat(people, extra));
    options($("#talk-participant"), [{value: "", label: "请选择"}].concat(people));
    options($("#visit-visitors"), people, me);
    options($("#talk-interviewers"), people, me);
    options($("#visit-occasion"), work.occasions, ["routine"]);
    options($("#talk-reason"), work.talk_reasons, ["annual"]);
    options($("#progress-pairing"), [{value: "", label: "请选择"}].concat(work.pairings.map(function (p) {
      return {value: p.id, label: p.name + "（帮扶人：" + p.helper + "）"};
    })));
    pairingTypes();

    var list = $("#plan-items");
    list.textContent = "";
    work.plan_items.forEach(function (item) {
      var li = el("li", {"class": "list-group-item d-flex justify-content-between align-items-center"});
      li.appendChild(el("span", {}, item.name + " · " + label(work.occasions, item.occasion)));
      var button = el("button", {type: "button", "class": "btn btn-sm btn-outline-danger"}, "走访");
      button.addEventListener("click", function () {
        openForm("visit", {member: item.member, occasion: item.occasion, plan_item: item.id});
      });
      li.appendChild(button);
      list.appendChild(li);
    });
    $("#plan-empty").classList.toggle("d-none", work.plan_items.length > 0);
    var prompts = $("#prompts");
    prompts.textContent = "";
    work.prompts.forEach(function (prompt) {
      var li = el("li", {"class": "list-group-item d-flex justify-content-between align-items-center"});
      li.appendChild(el("span", {}, prompt.name + " · " + label(work.occasions, prompt.occasion)));
      var button = el("button", {type: "button", "class": "btn btn-sm btn-outline-danger"}, "走访");
      button.addEventListener("click", function () {
        openForm("visit", {member: prompt.member, occasion: prompt.occasion});
      });
      li.appendChild(button);
      prompts.appendChild(li);
    });
    $("#prompt-empty").classList.toggle("d-none", work.prompts.length > 0);
  }

  function pairingOf(id) {
    var work = state.work && state.work.data;
    return work ? work.pairings.filter(function (p) { return p.id === id; })[0] : null;
  }

  function pairingTypes(selected) {
    var pairing = pairingOf(Number($("#progress-pairing").value));
    options($("#progress-type"), pairing ? pairing.help_types : [], selected ? [selected] : []);
  }

  function label(choices, value) {
    var hit = choices.filter(function (c) { return c.value === value; })[0];
    return hit ? hit.label : value;
  }

  // --- the forms --------------------------------------------------------------------------------

  var editing = null;  // the refused entry being corrected

  function openForm(kind, values, entry) {
    editing = entry || null;
    FORMS.forEach(function (k) { $("#" + k + "-form").classList.toggle("d-none", k !== kind); });
    var form = $("#" + kind + "-form");
    form.reset();
    renderWork();
    form.querySelector("[type=date]").value = today();
    Object.keys(values || {}).forEach(function (name) {
      var field = form.elements[name];
      if (!field) { return; }
      var value = values[name];
      if (field.multiple) {
        var wanted = (value || []).map(String);
        Array.prototype.forEach.call(field.options, function (o) { o.selected = wanted.indexOf(o.value) !== -1; });
      } else {
        field.value = Array.isArray(value) ? String(value[0]) : (value === null ? "" : String(value));
      }
    });
    if (kind === "progress") { pairingTypes(values && values.help_type); }
    form.scrollIntoView();
  }

  function closeForms() {
    editing = null;
    FORMS.forEach(function (k) { $("#" + k + "-form").classList.add("d-none"); });
  }

  function ids(select) {
    return Array.prototype.filter.call(select.options, function (o) { return o.selected; })
      .map(function (o) { return Number(o.value); });
  }

  function visitBody(form) {
    return {
      member: Number(form.elements.member.value), visited_on: form.elements.visited_on.value,
      occasion: form.elements.occasion.value, visitors: ids(form.elements.visitors),
      goods: form.elements.goods.value.trim(), notes: form.elements.notes.value.trim(),
      follow_up: form.elements.follow_up.value.trim(),
      plan_item: form.elements.plan_item.value ? Number(form.elements.plan_item.value) : null
    };
  }

  function talkBody(form) {
    return {
      kind: "individual", talked_on: form.elements.talked_on.value, reason: form.elements.reason.value,
      participants: [Number(form.elements.participants.value)], interviewers: ids(form.elements.interviewers),
      summary: form.elements.summary.value.trim(), opinions: form.elements.opinions.value.trim(),
      follow_up: form.elements.follow_up.value.trim()
    };
  }

  // The pairing travels in the entry's path, as the API wants it; `pairing` stays in the form's values.
  function progressBody(form) {
    return {
      pairing: Number(form.elements.pairing.value), date: form.elements.date.value,
      help_type: form.elements.help_type.value, description: form.elements.description.value.trim(),
      goods: form.elements.goods.value.trim()
    };
  }

  function describe(kind, data) {
    if (kind === "progress") {
      var pairing = pairingOf(data.pairing);
      return KIND_LABELS[kind] + " · " + (pairing ? pairing.name : "#" + data.pairing) + " · " + data.date;
    }
    var who = kind === "visit" ? data.member : data.participants[0];
    var day = kind === "visit" ? data.visited_on : data.talked_on;
    return KIND_LABELS[kind] + " · " + nameOf(who) + " · " + day;
  }

  var MISSING = {
    visit: function (d) { return !d.member || !d.visited_on || !d.visitors.length ? "走访对象、日期和走访人" : ""; },
    talk: function (d) {
      return !d.participants[0] || !d.talked_on || !d.interviewers.length || !d.summary ? "谈话对象、日期、谈话人和摘要" : "";
    },
    progress: function (d) { return !d.pairing || !d.date || !d.help_type || !d.description ? "结对、日期、帮扶类型和内容" : ""; }
  };

  function save(kind, form) {
    var data = kind === "visit" ? visitBody(form) : kind === "talk" ? talkBody(form) : progressBody(form);
    var missing = MISSING[kind](data);
    if (missing) { say("请填写" + missing + "。", "warning"); return; }
    if (!state.work) { say("本机还没有工作清单，无法登记。", "warning"); return; }
    var entry = {
      // A corrected entry gets a new key: the server kept nothing of the refused attempt.
      key: newKey(), kind: kind, body: data, label: describe(kind, data),
      path: kind === "progress" ? "/api/v1/pairings/" + data.pairing + "/progress/" : ROUTES[kind],
      user: state.work.user, status: "pending", message: "", created_at: editing ? editing.created_at : new Date().toISOString()
    };
    var previous = editing;
    DB.put(entry).then(function () { return previous ? DB.remove(previous.key) : null; }).then(function () {
      closeForms();
      say("已保存在本机：" + entry.label + (navigator.onLine ? "，正在同步……" : "。联网后自动同步。"), "success");
      return render();
    }).then(sync);
  }

  // --- the entries on this device ---------------------------------------------------------------

  function render() {
    return DB.all().then(function (entries) {
      var list = $("#pending");
      list.textContent = "";
      entries.forEach(function (entry) {
        var li = el("li", {"class": "list-group-item", "data-entry": entry.key});
        var head = el("div", {"class": "d-flex justify-content-between gap-2"});
        head.appendChild(el("span", {"class": "entry-label"}, entry.label));
        var refused = entry.status === "refused";
        head.appendChild(el("span", {"class": "badge entry-state " + (refused ? "text-bg-danger" : "text-bg-warning")},
          refused ? "未能同步" : "待同步"));
        li.appendChild(head);
        if (state.me && entry.user !== state.me.id) {
          li.appendChild(el("div", {"class": "small text-danger"}, "这条登记是另一个账号保存的，请用该账号登录后同步，或丢弃。"));
        }
        if (refused) {
          li.appendChild(el("div", {"class": "small text-danger entry-message", role: "alert"}, entry.message));
          var fix = el("button", {type: "button", "class": "btn btn-sm btn-outline-primary me-2 mt-1"}, "修改");
          fix.addEventListener("click", function () { openForm(entry.kind, entry.body, entry); });
          li.appendChild(fix);
        }
        var drop = el("button", {type: "button", "class": "btn btn-sm btn-outline-secondary mt-1"}, "丢弃");
        drop.addEventListener("click", function () {
          if (window.confirm("丢弃后这条登记将从本机删除，且不会上传。确定丢弃“" + entry.label + "”吗？")) {
            DB.remove(entry.key).then(render);
          }
        });
        li.appendChild(drop);
        list.appendChild(li);
      });
      $("#pending-count").textContent = String(entries.length);
      $("#pending-empty").classList.toggle("d-none", entries.length > 0);
      return entries;
    });
  }

  function synced(entry) {
    $("#synced-section").classList.remove("d-none");
    $("#synced").appendChild(el("li", {"class": "list-group-item list-group-item-success"}, entry.label + " · 已同步"));
  }

  function messageOf(answer) {
    if (!answer) { return "服务器拒绝了这条登记。"; }
    var parts = [];
    if (answer.fields) {
      Object.keys(answer.fields).forEach(function (name) {
        parts = parts.concat(answer.fields[name]);
      });
    }
    return parts.length ? parts.join("；") : (answer.message || "服务器拒绝了这条登记。");
  }

  function without(data, name) {
    var copy = {};
    Object.keys(data).forEach(function (key) { if (key !== name) { copy[key] = data[key]; } });
    return copy;
  }

  function send(entry) {
    return fetch(entry.path, {
      method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json", Accept: "application/json",
                "X-CSRFToken": state.csrf, "Idempotency-Key": entry.key},
      body: JSON.stringify(entry.kind === "progress" ? without(entry.body, "pairing") : entry.body)
    }).then(function (response) {
      if (response.status === 200 || response.status === 201) {
        return DB.remove(entry.key).then(function () { synced(entry); return "done"; });
      }
      if (REFUSALS.indexOf(response.status) !== -1) {
        return response.json().catch(function () { return null; }).then(function (answer) {
          entry.status = "refused";
          entry.message = messageOf(answer);
          return DB.put(entry).then(function () { return "refused"; });
        });
      }
      return "later";  // signed out (401), too many requests, a server error: try again later
    });
  }

  function sync() {
    if (state.syncing || !navigator.onLine) { return Promise.resolve(); }
    state.syncing = true;
    var counts = {done: 0, refused: 0};
    return DB.all().then(function (entries) {
      var due = entries.filter(function (e) { return e.status === "pending"; });
      if (!due.length) { return null; }
      return fetchMe().then(function (me) {
        if (!me) { say("登录已失效：请重新登录后同步。登记仍保存在本机。", "warning"); return null; }
        state.me = me;
        state.csrf = me.csrf_token;
        var mine = due.filter(function (e) { return e.user === me.id; });
        return mine.reduce(function (chain, entry) {
          return chain.then(function (stop) {
            if (stop) { return stop; }
            return send(entry).then(function (outcome) {
              if (outcome === "later") { return "later"; }
              counts[outcome] += 1;
              return null;
            });
          });
        }, Promise.resolve(null)).then(function (stop) {
          if (stop === "later") { say("服务器暂时无法接收，稍后自动重试。", "warning"); return; }
          if (counts.refused) { say("有 " + counts.refused + " 条登记未能同步，请查看原因后修改或丢弃。", "danger"); }
          else if (counts.done) { say("已同步 " + counts.done + " 条登记。", "success"); }
        });
      });
    }).catch(function () {
      say("网络中断，登记仍保存在本机，稍后自动重试。", "warning");
    }).then(function () {
      state.syncing = false;
      return render();
    });
  }

  function showNet() {
    var online = navigator.onLine;
    var badge = $("#net-state");
    badge.textContent = online ? "在线" : "离线";
    badge.className = "badge " + (online ? "text-bg-light" : "text-bg-warning");
  }

  // --- signing out ------------------------------------------------------------------------------

  function logout() {
    DB.countUnsynced().catch(function () { return 0; }).then(function (count) {
      if (count && !window.confirm("本机还有 " + count + " 条离线登记尚未同步。退出后它们将从本机删除，无法恢复。确定退出吗？")) {
        return;
      }
      var csrf = navigator.onLine ? fetchMe().then(function (me) { return me && me.csrf_token; }).catch(function () { return null; })
        : Promise.resolve(null);
      csrf.then(function (token) {
        return DB.wipe().catch(function () { return null; }).then(function () {
          if (!token && !navigator.onLine) {
            // The device is cleared; the session itself ends on the server when the phone is online again.
            var main = document.querySelector("main");
            main.textContent = "";
            main.appendChild(el("div", {"class": "alert alert-warning", role: "status"},
              "已清除本机保存的数据。联网后请重新打开本系统并退出登录。"));
            return;
          }
          if (!token) { window.location.href = body.dataset.login; return; }
          var form = el("form", {method: "post", action: body.dataset.logout});
          form.appendChild(el("input", {type: "hidden", name: "csrfmiddlewaretoken", value: token}));
          document.body.appendChild(form);
          form.submit();
        });
      });
    });
  }

  // --- start ------------------------------------------------------------------------------------

  document.addEventListener("click", function (event) {
    var opener = event.target.closest("[data-open]");
    if (opener) { openForm(opener.getAttribute("data-open")); }
    if (event.target.closest("[data-close]")) { closeForms(); }
  });
  $("#visit-form").addEventListener("submit", function (event) { event.preventDefault(); save("visit", event.target); });
  $("#talk-form").addEventListener("submit", function (event) { event.preventDefault(); save("talk", event.target); });
  $("#progress-form").addEventListener("submit", function (event) { event.preventDefault(); save("progress", event.target); });
  $("#progress-pairing").addEventListener("change", function () { pairingTypes(); });
  $("#sync-now").addEventListener("click", function () { sync(); });
  $("#logout").addEventListener("click", logout);
  window.addEventListener("online", function () { showNet(); sync(); });
  window.addEventListener("offline", showNet);
  setInterval(function () { if (navigator.onLine) { sync(); } }, 15000);
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/sw.js", {scope: "/"}).catch(function () { return null; });
  }
  showNet();

  var ready = navigator.onLine ? fetchMe().catch(function () { return null; }) : Promise.resolve(null);
  ready.then(function (me) {
    state.me = me;
    if (navigator.onLine && !me) { return null; }  // signed out: the login page first
    return me ? loadWork() : DB.getMeta("work");
  }).then(function (work) {
    // Another account's work list is not shown (its entries are, to be synced by them or discarded).
    state.work = work && (!state.me || work.user === state.me.id) ? work : null;
    renderWork();
    return render();
  }).then(function () {
    body.setAttribute("data-ready", "1");
    return sync();
  });
})();
