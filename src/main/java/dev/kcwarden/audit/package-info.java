/**
 * The audit log: one tamper-evident JSON line per user and admin event (listener, encoder, redaction allow-list, HMAC
 * chain and its state file, checkpoints), the signed webhook with its bounded queues, and the offline
 * {@code verify-audit} command. The line format is in docs/audit-schema.md.
 */
package dev.kcwarden.audit;
