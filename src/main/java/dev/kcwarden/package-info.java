/**
 * keycloak-warden: Keycloak providers for a hardened sign-up, login and token life cycle. This package holds what every
 * feature shares: the names warden writes into events ({@link dev.kcwarden.WardenEvents}) and its message keys
 * ({@link dev.kcwarden.WardenMessages}), hand-overs between providers within a request
 * ({@link dev.kcwarden.RequestKey}), work after the transaction ({@link dev.kcwarden.AfterCompletion}), settings
 * checked when an admin saves them ({@link dev.kcwarden.AdminSave}), outbound HTTP, log-safe text, and the build and
 * advisory information, and the no-user answers of a flow step ({@link dev.kcwarden.NoUserSetup}). Each feature lives
 * in a sub-package.
 */
package dev.kcwarden;
