/**
 * The login guard: limits on failed logins, one-time codes and password-reset requests (and the sign-up limit the
 * signup package applies), checked before any password is hashed, counted cluster-wide on Keycloak's own cache, and
 * answered with HTTP 429 and Retry-After. {@link dev.kcwarden.guard.GuardedFlow} says what each flow counts,
 * {@link dev.kcwarden.guard.Limiter} is the algorithm, {@link dev.kcwarden.guard.LoginGuard} ties one request to it,
 * and {@link dev.kcwarden.guard.ThrottledAttempt} is the one refused answer. The {@code Guarded*} classes wrap
 * Keycloak's own authenticators.
 */
package dev.kcwarden.guard;
