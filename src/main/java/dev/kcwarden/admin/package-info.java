/**
 * The admin REST resource under {@code /admin/realms/{realm}/warden}: what a node runs ({@code info}) and the guard
 * counters of a name or address ({@code throttles}, read and clear). Permission checks and admin events live here; the
 * counters themselves are read by {@link dev.kcwarden.guard.GuardAdmin}.
 */
package dev.kcwarden.admin;
