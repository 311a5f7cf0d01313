package dev.hearth.releases;

import java.util.List;

/** The durable release history of each function: every deploy, canary, promote and rollback appends a record. */
public interface ReleaseStore {

    /** Appends a release; it is the function's current release once this returns. */
    void append(Release release);

    /** The function's releases, oldest first; empty if it has none (e.g. deployed before releases were recorded). */
    List<Release> history(String function);

    /** Deletes the function's history; with the function itself. */
    void deleteHistory(String function);
}
