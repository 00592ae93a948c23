/**
 * The refresh-token reuse response: when Keycloak reports a replayed rotated refresh token, end the whole session
 * family (RFC 9700 section 4.14.2). The listener acts; the client-policy executor only carries the options.
 */
package dev.kcwarden.session;
