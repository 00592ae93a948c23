/**
 * warden's Prometheus metrics, registered on the Micrometer registry Keycloak ships, with labels bounded to values
 * warden chooses (never a name or an address).
 */
package dev.kcwarden.metrics;
