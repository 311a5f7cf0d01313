package dev.hearth.store;

import java.util.Optional;

/**
 * Small durable key-value settings of a Hearth installation, such as the hashed API key. Like every store write,
 * {@link #put} is durable when it returns.
 */
public interface SettingsStore {

    Optional<String> get(String key);

    /** Sets {@code key} to {@code value}, replacing any earlier value. */
    void put(String key, String value);
}
