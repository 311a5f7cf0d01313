package dev.hearth.functions;

import java.util.Optional;

/**
 * Code bundles kept in the store itself, by content hash, so that every control-plane node sharing the store can
 * unpack a version's code without the node that deployed it.
 */
public interface BundleBlobStore {

    /** Keeps {@code zip} under {@code sha256}; does nothing if a bundle with that hash is kept already. */
    void save(String sha256, byte[] zip);

    Optional<byte[]> find(String sha256);
}
