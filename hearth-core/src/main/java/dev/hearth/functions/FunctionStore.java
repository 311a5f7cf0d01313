package dev.hearth.functions;

import java.util.List;
import java.util.Optional;

/** The durable registry of deployed function versions. */
public interface FunctionStore {

    /** Stores a new version; {@code version.version()} must be one more than the latest (or 1). */
    void save(FunctionVersion version);

    Optional<FunctionVersion> latest(String name);

    Optional<FunctionVersion> find(String name, int version);

    /** Every stored version of a function, oldest first. */
    List<FunctionVersion> versions(String name);

    /** The latest version of every function that is not deleted, by name. */
    List<FunctionVersion> listLatest();

    /** Deletes every version of a function; returns false if there was none. */
    boolean delete(String name);
}
