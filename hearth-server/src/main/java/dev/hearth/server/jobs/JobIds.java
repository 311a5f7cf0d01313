package dev.hearth.server.jobs;

import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * Job ids like RunPod's: unguessable (a job id is a capability to read its result) and sortable enough to read.
 */
final class JobIds {

    private final SecureRandom random = new SecureRandom();

    String next() {
        byte[] bytes = new byte[12];
        random.nextBytes(bytes);
        return "job-" + HexFormat.of().formatHex(bytes);
    }
}
