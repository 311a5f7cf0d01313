package dev.hearth.store.sqlite;

/** How much a committed write of the SQLite store survives. Either way the store runs in WAL mode. */
public enum Durability {

    /**
     * {@code synchronous=NORMAL}: a committed write survives a crash or kill -9 of the process, but the last commits
     * may be lost if the machine loses power. Commits need no fsync, which makes them cheap.
     */
    NORMAL,

    /** {@code synchronous=FULL}: every commit is fsynced, so it survives power loss too. Group commit amortizes it. */
    FULL
}
