/**
 * The sign-up guard: the email-domain validator (allow and deny lists, disposable domains, look-alikes) and the
 * registration form action (per-address sign-up limit, honeypot, a password equal to the email refused).
 */
package dev.kcwarden.signup;
