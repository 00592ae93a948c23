// keycloak-warden: the proof-of-work step-up. When the page carries a puzzle (#warden-pow: a nonce and a
// difficulty in leading zero bits), find a counter whose SHA-256("nonce:counter") starts with that many zero bits,
// with the browser's own crypto.subtle (nothing leaves the page), put it into the hidden field and let the login
// form go. Solving starts at once, so it is usually done before the password is typed.
(function () {
  "use strict";
  var BATCH = 256;

  function zeroBits(buffer) {
    var bytes = new Uint8Array(buffer);
    var bits = 0;
    for (var i = 0; i < bytes.length; i++) {
      if (bytes[i] === 0) { bits += 8; continue; }
      return bits + Math.clz32(bytes[i]) - 24;
    }
    return bits;
  }

  function solve(nonce, bits) {
    var encoder = new TextEncoder();
    var next = 0;
    function round() {
      var tries = [];
      var first = next;
      for (var i = 0; i < BATCH; i++) {
        tries.push(crypto.subtle.digest("SHA-256", encoder.encode(nonce + ":" + (first + i))));
      }
      next += BATCH;
      return Promise.all(tries).then(function (hashes) {
        for (var j = 0; j < hashes.length; j++) {
          if (zeroBits(hashes[j]) >= bits) { return String(first + j); }
        }
        return round();
      });
    }
    return round();
  }

  function start() {
    var box = document.getElementById("warden-pow");
    if (!box || !window.crypto || !crypto.subtle) { return; }
    var form = document.getElementById(box.getAttribute("data-form"));
    var field = document.getElementById("warden-pow-solution");
    var status = box.querySelector(".warden-pow-status");
    var started = Date.now();
    var waiting = false;
    var solved = solve(box.getAttribute("data-nonce"), parseInt(box.getAttribute("data-bits"), 10))
      .then(function (solution) {
        field.value = solution;
        box.setAttribute("data-solved-ms", String(Date.now() - started));
        return solution;
      });
    if (!form) { return; }
    form.addEventListener("submit", function (event) {
      if (field.value) { return; }
      event.preventDefault();
      if (waiting) { return; }
      waiting = true;
      if (status) { status.textContent = status.getAttribute("data-text-working"); }
      solved.then(function () { HTMLFormElement.prototype.submit.call(form); });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
