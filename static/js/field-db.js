/* A small promise wrapper around IndexedDB for the field app (no library). One database per device,
   "care-field": `entries` holds what was typed and not yet taken by the server (key: the entry's
   Idempotency-Key), `meta` holds the work list of the user who signed in last. Signing out deletes the
   whole database (static/js/field.js and care.js; the server also sends Clear-Site-Data). */
(function () {
  "use strict";
  var NAME = "care-field";

  function promised(request) {
    return new Promise(function (resolve, reject) {
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  function open() {
    var request = indexedDB.open(NAME, 1);
    request.onupgradeneeded = function () {
      var db = request.result;
      if (!db.objectStoreNames.contains("entries")) { db.createObjectStore("entries", {keyPath: "key"}); }
      if (!db.objectStoreNames.contains("meta")) { db.createObjectStore("meta", {keyPath: "name"}); }
    };
    return promised(request);
  }

  function run(store, mode, action) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(store, mode);
        var result;
        promised(action(tx.objectStore(store))).then(function (value) { result = value; }, reject);
        tx.oncomplete = function () { db.close(); resolve(result); };
        tx.onerror = function () { db.close(); reject(tx.error); };
        tx.onabort = function () { db.close(); reject(tx.error); };
      });
    });
  }

  window.FieldDB = {
    NAME: NAME,
    all: function () {
      return run("entries", "readonly", function (s) { return s.getAll(); }).then(function (rows) {
        return rows.sort(function (a, b) { return a.created_at < b.created_at ? -1 : 1; });
      });
    },
    put: function (entry) { return run("entries", "readwrite", function (s) { return s.put(entry); }); },
    remove: function (key) { return run("entries", "readwrite", function (s) { return s.delete(key); }); },
    getMeta: function (name) {
      return run("meta", "readonly", function (s) { return s.get(name); }).then(function (row) {
        return row ? row.value : null;
      });
    },
    setMeta: function (name, value) {
      return run("meta", "readwrite", function (s) { return s.put({name: name, value: value}); });
    },
    /* How many entries wait on this device, without creating the database when there is none. */
    countUnsynced: function () {
      var probe = indexedDB.databases ? indexedDB.databases() : Promise.resolve([{name: NAME}]);
      return probe.then(function (list) {
        if (!list.some(function (db) { return db.name === NAME; })) { return 0; }
        return run("entries", "readonly", function (s) { return s.count(); });
      });
    },
    /* Everything the field app keeps: the database, the service worker's caches, the worker itself. */
    wipe: function () {
      var jobs = [promised(indexedDB.deleteDatabase(NAME)).catch(function () { return null; })];
      if (window.caches) {
        jobs.push(caches.keys().then(function (names) {
          return Promise.all(names.map(function (name) { return caches.delete(name); }));
        }));
      }
      if (navigator.serviceWorker) {
        jobs.push(navigator.serviceWorker.getRegistrations().then(function (regs) {
          return Promise.all(regs.map(function (reg) { return reg.unregister(); }));
        }));
      }
      return Promise.all(jobs);
    }
  };
})();
