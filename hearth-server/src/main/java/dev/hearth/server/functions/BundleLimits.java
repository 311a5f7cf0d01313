package dev.hearth.server.functions;

/**
 * How much an uploaded code bundle may unpack to. Enforced while unpacking, so a small zip that expands hugely stops
 * at the cap instead of filling the disk.
 *
 * @param maxBytes   the most bytes all its files together may hold once unpacked
 * @param maxEntries the most entries (files and directories) it may have
 */
public record BundleLimits(long maxBytes, int maxEntries) {

    /** 2 GiB in at most 100,000 entries: room for code and a vendored virtualenv, not for model weights. */
    public static final BundleLimits DEFAULT = new BundleLimits(2L << 30, 100_000);

    public BundleLimits {
        if (maxBytes < 1 || maxEntries < 1) {
            throw new IllegalArgumentException("bundle limits must be positive, got " + maxBytes + " bytes, "
                    + maxEntries + " entries");
        }
    }
}
