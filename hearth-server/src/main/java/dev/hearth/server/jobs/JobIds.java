package dev.hearth.server.jobs;

import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * Job ids: a millisecond time prefix, so that new ids land at the end of the store's index rather than on random
 * pages, and 80 random bits, so that they stay unguessable (a job id is a capability to read its result).
 */
final class JobIds {

    private final SecureRandom random = new SecureRandom();

    String next() {
        byte[] bytes = new byte[10];
        random.nextBytes(bytes);
        return "job-" + Long.toString(System.currentTimeMillis(), 36) + "-" + HexFormat.of().formatHex(bytes);
    }
}
