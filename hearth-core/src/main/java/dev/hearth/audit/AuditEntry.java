package dev.hearth.audit;

import java.time.Instant;
import java.util.Objects;

/**
 * One management action, as the audit log keeps it.
 *
 * @param id       unique, and ordering entries of the same millisecond
 * @param key      the name of the API key that made it ({@code admin} for the first key)
 * @param action   what was done: {@code deploy}, {@code scale}, {@code node.drain}, ...
 * @param function the function it was about, or null
 * @param target   what it was done to (a function, node, key, budget, ...)
 * @param change   what changed, as sent or as the route described it (never a secret's value), or null
 * @param address  the caller's address
 * @param status   the HTTP status it was answered with
 * @param outcome  {@code ok}, or the problem's detail when it was refused
 */
public record AuditEntry(String id, Instant at, String key, String action, String function, String target,
                         String change, String address, int status, String outcome) {

    public AuditEntry {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(outcome, "outcome");
    }
}
