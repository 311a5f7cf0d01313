package dev.hearth.server.jobs;

import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * Job ids: a millisecond time prefix, so that new ids land at the end of the store's index rather than on random
 * pages, and 80 random bits, so that they stay unguessable (a job id is a capability to read its result).
 */
final class JobIds {

    // DRBG rather than the platform default (NativePRNG), which reads /dev/urandom on every call: one system call per
    // submitted job.
    private final SecureRandom random;

    JobIds() {
        try {
            random = SecureRandom.getInstance("DRBG");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no DRBG SecureRandom", e);
        }
    }

    String next() {
        byte[] bytes = new byte[10];
        random.nextBytes(bytes);
        return "job-" + Long.toString(System.currentTimeMillis(), 36) + "-" + HexFormat.of().formatHex(bytes);
    }
}
