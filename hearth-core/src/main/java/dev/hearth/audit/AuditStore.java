package dev.hearth.audit;

import java.time.Instant;
import java.util.List;

/** The audit log: append-only, read newest first, trimmed only by retention. */
public interface AuditStore {

    /** Appends an entry; durable when it returns. */
    void append(AuditEntry entry);

    /**
     * Entries newest first, at most {@code limit}, each filter applied when not null.
     *
     * @param since the earliest time, inclusive
     */
    List<AuditEntry> entries(String function, String action, String key, Instant since, int limit);

    /** Removes entries older than the cutoff (retention); returns how many. */
    int deleteBefore(Instant cutoff);
}
