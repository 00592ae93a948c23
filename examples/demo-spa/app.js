// keycloak-warden demo app: authorization code flow with PKCE (S256) in plain browser JavaScript.
// The page's server answers /config.json with the realm's issuer, the client id and the API's address.
'use strict';

(function () {
    const PENDING = 'demo-spa.pending-login';
    const $ = (id) => document.getElementById(id);
    let config = null;
    let oidc = null;
    let tokens = null;
    let refreshes = 0;

    function status(text, isError) {
        const el = $('status');
        el.textContent = text;
        el.classList.toggle('error', Boolean(isError));
    }

    function base64url(bytes) {
        let binary = '';
        bytes.forEach((b) => { binary += String.fromCharCode(b); });
        return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
    }

    function randomToken(byteCount) {
        return base64url(crypto.getRandomValues(new Uint8Array(byteCount)));
    }

    async function s256(verifier) {
        const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier));
        return base64url(new Uint8Array(digest));
    }

    // Shows what a token says; it does not verify it (the API does, and the page got it from the token endpoint
    // over a direct connection).
    function claims(jwt) {
        const part = jwt.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
        const bytes = Uint8Array.from(atob(part + '='.repeat((4 - part.length % 4) % 4)), (c) => c.charCodeAt(0));
        return JSON.parse(new TextDecoder().decode(bytes));
    }

    function redirectUri() {
        return window.location.origin + '/';
    }

    async function begin(registration) {
        const pending = { verifier: randomToken(32), state: randomToken(16), nonce: randomToken(16) };
        sessionStorage.setItem(PENDING, JSON.stringify(pending));
        const params = new URLSearchParams({
            client_id: config.clientId,
            redirect_uri: redirectUri(),
            response_type: 'code',
            scope: 'openid',
            state: pending.state,
            nonce: pending.nonce,
            code_challenge: await s256(pending.verifier),
            code_challenge_method: 'S256'
        });
        // Keycloak's registration endpoint takes the same parameters and opens the sign-up page directly.
        const endpoint = registration
            ? oidc.authorization_endpoint.replace(/\/auth$/, '/registrations')
            : oidc.authorization_endpoint;
        window.location.assign(endpoint + '?' + params.toString());
    }

    async function tokenRequest(form) {
        const reply = await fetch(oidc.token_endpoint, {
            method: 'POST',
            headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
            body: new URLSearchParams(form).toString()
        });
        const body = await reply.json();
        if (!reply.ok) {
            throw new Error((body.error || reply.status) + (body.error_description ? ': ' + body.error_description : ''));
        }
        return body;
    }

    // A callback that this page cannot trust ends here: nothing from it is shown or sent anywhere.
    class RefusedCallback extends Error {}

    async function finishLogin(query) {
        const pending = JSON.parse(sessionStorage.getItem(PENDING) || 'null');
        sessionStorage.removeItem(PENDING);
        // The code must not stay in the address bar or the history.
        window.history.replaceState(null, '', '/');
        // 1. state first: a response to a login this tab did not start (CSRF, a link someone sent) is dropped
        //    before anything in it is read, error texts included.
        if (!pending || !query.get('state') || query.get('state') !== pending.state) {
            throw new RefusedCallback('This sign-in response was not started from this page, so it was ignored. Sign in again.');
        }
        // 2. iss (RFC 9207): the response must come from the realm this page signs in to, not from another
        //    authorization server (mix-up). Keycloak always sends it and says so in its metadata.
        const iss = query.get('iss');
        if (iss !== null ? iss !== oidc.issuer : oidc.authorization_response_iss_parameter_supported === true) {
            throw new RefusedCallback('This sign-in response did not come from ' + oidc.issuer + ', so it was ignored. Sign in again.');
        }
        // 3. only now an error the realm reported (shown as text, never as markup).
        if (query.get('error')) {
            throw new Error('the login ended with ' + query.get('error') + ' ' + (query.get('error_description') || ''));
        }
        const answer = await tokenRequest({
            grant_type: 'authorization_code',
            client_id: config.clientId,
            redirect_uri: redirectUri(),
            code: query.get('code'),
            code_verifier: pending.verifier
        });
        if (claims(answer.id_token).nonce !== pending.nonce) {
            throw new RefusedCallback('The ID token does not belong to this sign-in (nonce mismatch), so it was not used. Sign in again.');
        }
        tokens = answer;
        show('Signed in.');
    }

    function show(message) {
        const access = claims(tokens.access_token);
        const id = claims(tokens.id_token);
        $('who').textContent = id.preferred_username || id.sub;
        $('access-claims').textContent = JSON.stringify(access, null, 2);
        $('id-claims').textContent = JSON.stringify(id, null, 2);
        $('access-expiry').textContent = new Date(access.exp * 1000).toLocaleTimeString();
        $('refresh-count').textContent = String(refreshes);
        $('signed-out').hidden = true;
        $('signed-in').hidden = false;
        status(message);
    }

    async function callApi() {
        status('Calling the API…');
        const reply = await fetch(config.api + '/api/hello', {
            headers: { Authorization: 'Bearer ' + tokens.access_token }
        });
        const text = await reply.text();
        $('api-result').textContent = 'HTTP ' + reply.status + '\n' + text;
        status(reply.ok ? 'The API accepted the access token.' : 'The API refused the access token (HTTP ' + reply.status + ').', !reply.ok);
    }

    async function refresh() {
        status('Refreshing…');
        // Rotation: the answer carries a new refresh token, and the old one must never be sent again.
        tokens = Object.assign({}, tokens, await tokenRequest({
            grant_type: 'refresh_token',
            client_id: config.clientId,
            refresh_token: tokens.refresh_token
        }));
        refreshes += 1;
        show('Tokens refreshed: a new access token and a new refresh token.');
    }

    function logout() {
        const params = new URLSearchParams({
            client_id: config.clientId,
            id_token_hint: tokens.id_token,
            post_logout_redirect_uri: redirectUri() + '?signed-out'
        });
        tokens = null;
        window.location.assign(oidc.end_session_endpoint + '?' + params.toString());
    }

    function guarded(action) {
        return () => action().catch((e) => status('Something went wrong: ' + e.message, true));
    }

    async function main() {
        config = await (await fetch('config.json', { cache: 'no-store' })).json();
        $('issuer').textContent = config.issuer;
        $('api').textContent = config.api;
        const discovery = await fetch(config.issuer + '/.well-known/openid-configuration');
        if (!discovery.ok) {
            throw new Error('the realm at ' + config.issuer + ' did not answer (HTTP ' + discovery.status + ')');
        }
        oidc = await discovery.json();
        $('login').addEventListener('click', guarded(() => begin(false)));
        $('register').addEventListener('click', guarded(() => begin(true)));
        $('call-api').addEventListener('click', guarded(callApi));
        $('refresh').addEventListener('click', guarded(refresh));
        $('logout').addEventListener('click', logout);

        const query = new URLSearchParams(window.location.search);
        if (query.has('code') || query.has('error')) {
            status('Exchanging the code for tokens…');
            try {
                await finishLogin(query);
            } catch (e) {
                if (!(e instanceof RefusedCallback)) {
                    throw e;
                }
                $('signed-out').hidden = false;
                status(e.message, true);
            }
            return;
        }
        if (query.has('signed-out')) {
            window.history.replaceState(null, '', '/');
        }
        $('signed-out').hidden = false;
        status(query.has('signed-out') ? 'Signed out: the session at the realm has ended.' : 'Not signed in.');
    }

    main().catch((e) => {
        $('signed-out').hidden = false;
        status('Something went wrong: ' + e.message, true);
    });
}());
