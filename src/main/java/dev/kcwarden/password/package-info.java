/**
 * The breached-password policy {@code wardenBreachedPassword}: the shipped list of common passwords first, then a
 * k-anonymity range query (five hex characters of SHA-1) with a strict timeout and an explicit fail-open or fail-closed
 * choice.
 */
package dev.kcwarden.password;
