/*
 * keycloak-warden login theme: small enhancements on top of keycloak.v2. Every page works without this file:
 * the rules and messages are in the HTML the server sends; this script only places them and keeps time.
 */
(function () {
    "use strict";

    /** "14:05" for 845 seconds, "1:02:05" past an hour. */
    function clock(seconds) {
        var h = Math.floor(seconds / 3600);
        var m = Math.floor((seconds % 3600) / 60);
        var s = seconds % 60;
        var mm = h > 0 && m < 10 ? "0" + m : String(m);
        return (h > 0 ? h + ":" : "") + mm + ":" + (s < 10 ? "0" : "") + s;
    }

    function fill(pattern, value) {
        return pattern.replace("{0}", value);
    }

    function addDescription(input, id) {
        var ids = (input.getAttribute("aria-describedby") || "").split(/\s+/).filter(Boolean);
        if (ids.indexOf(id) < 0) {
            ids.push(id);
            input.setAttribute("aria-describedby", ids.join(" "));
        }
    }

    /*
     * The wait after a refused attempt: a visible clock, updated every second but hidden from screen readers, and
     * a polite live region that speaks once at the start, once per minute and when the wait is over.
     */
    function countdown() {
        var box = document.getElementById("warden-retry");
        if (!box) {
            return;
        }
        var total = parseInt(box.getAttribute("data-retry-after"), 10);
        if (!(total > 0)) {
            return;
        }
        var alert = document.querySelector(".pf-v5-c-alert .kc-feedback-text");
        if (alert && alert.parentNode) {
            alert.parentNode.appendChild(box); // under the message that says why
            box.classList.add("pf-v5-c-alert__description");
        }
        var clockText = box.querySelector(".warden-retry-clock");
        var live = box.querySelector(".warden-retry-live");
        var deadline = Date.now() + total * 1000;
        var spokenMinutes = -1;
        var timer = null;

        function tick(speak) {
            var left = Math.max(0, Math.ceil((deadline - Date.now()) / 1000));
            if (left === 0) {
                clockText.textContent = box.getAttribute("data-text-ready");
                live.textContent = box.getAttribute("data-text-ready");
                clearInterval(timer);
                return;
            }
            clockText.textContent = fill(box.getAttribute("data-text-wait"), clock(left));
            var minutes = Math.ceil(left / 60);
            if (speak && minutes !== spokenMinutes) {
                spokenMinutes = minutes;
                live.textContent = fill(box.getAttribute("data-text-live"), minutes);
            }
        }

        tick(false);
        // The live region existed empty since page load; filling it a moment later is what screen readers announce.
        setTimeout(function () {
            tick(true);
            timer = setInterval(function () { tick(true); }, 1000);
        }, 1000);
    }

    /** The password rules, moved from the footer to sit under the new-password field they describe. */
    function passwordRules() {
        var rules = document.getElementById("warden-password-rules");
        if (!rules) {
            return;
        }
        var input = document.getElementById(rules.getAttribute("data-for"));
        if (!input) {
            return;
        }
        var group = input.closest(".pf-v5-c-form__group");
        var errors = document.getElementById("input-error-container-" + input.id);
        if (group && errors && errors.parentNode === group) {
            group.insertBefore(rules, errors);
        } else if (group) {
            group.appendChild(rules);
        }
        rules.classList.add("warden-password-rules-inline");
        addDescription(input, rules.id);
    }

    /** Keycloak marks a field aria-invalid and prints its error beside it; this links the two for screen readers. */
    function fieldErrors() {
        var invalid = document.querySelectorAll('input[aria-invalid="true"], select[aria-invalid="true"], textarea[aria-invalid="true"]');
        Array.prototype.forEach.call(invalid, function (input) {
            var error = document.getElementById("input-error-" + input.id);
            if (error) {
                addDescription(input, error.id);
            }
        });
    }

    /**
     * keycloak.v2 writes aria-invalid="" on every field without an error; an empty value is no valid ARIA state
     * (axe-core: aria-valid-attr-value). A field without an error simply has no aria-invalid.
     */
    function emptyInvalidStates() {
        Array.prototype.forEach.call(document.querySelectorAll('[aria-invalid=""]'), function (field) {
            field.removeAttribute("aria-invalid");
        });
    }

    /** keycloak.v2's read-only field with the name being signed in has no label; give it the footer's "Username". */
    function attemptedUsername() {
        var field = document.getElementById("kc-attempted-username");
        var label = document.getElementById("warden-attempted-username-label");
        if (field && label && !field.getAttribute("aria-label") && !field.getAttribute("aria-labelledby")
                && !document.querySelector('label[for="kc-attempted-username"]')) {
            field.setAttribute("aria-labelledby", label.id);
        }
    }

    function start() {
        passwordRules();
        fieldErrors();
        emptyInvalidStates();
        attemptedUsername();
        countdown();
    }

    if (document.readyState === "loading") {
        document.addEventListener("DOMContentLoaded", start);
    } else {
        start();
    }
})();
