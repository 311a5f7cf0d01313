package dev.hearth.releases;

import dev.hearth.errors.HearthException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Which version a new job goes to while a canary runs. The choice is a pure function of the job id: the id's SHA-256,
 * read as a number in [0, 10000), is below {@code percent * 100} for a canary job. Job ids carry 80 random bits, so
 * each job goes to the canary independently with probability {@code percent / 100}: over {@code n} jobs the canary's
 * share has standard deviation {@code sqrt(p (1 - p) / n)} (1,000 jobs at 10%: 0.95 points, so 10% ± 3 points holds
 * with probability 99.8%). Unlike a counter (every tenth job), this cannot line up with a pattern in the client's
 * submissions, and the same id always gets the same answer.
 */
public final class CanarySplit {

    private CanarySplit() {
    }

    /** Whether the job with this id goes to a canary that receives {@code percent} of new jobs. */
    public static boolean toCanary(String jobId, int percent) {
        checkPercent(percent);
        return bucket(jobId) < percent * 100;
    }

    /** The job's bucket in [0, 10000). */
    static int bucket(String jobId) {
        byte[] h = sha256(jobId.getBytes(StandardCharsets.UTF_8));
        long x = 0;
        for (int i = 0; i < 8; i++) {
            x = (x << 8) | (h[i] & 0xff);
        }
        return (int) Long.remainderUnsigned(x, 10_000);
    }

    /**
     * Parses a canary share as written by users: {@code 10%} or {@code 10}, a whole percent from 1 to 99.
     *
     * @throws HearthException.BadRequest naming the accepted form
     */
    public static int parsePercent(String text) {
        String s = text == null ? "" : text.strip();
        if (s.endsWith("%")) {
            s = s.substring(0, s.length() - 1).strip();
        }
        int percent;
        try {
            percent = Integer.parseInt(s);
        } catch (NumberFormatException e) {
            throw new HearthException.BadRequest("canary must be a whole percent from 1 to 99, like 10% or 10; got '"
                    + text + "'");
        }
        checkPercent(percent);
        return percent;
    }

    static void checkPercent(int percent) {
        if (percent < 1 || percent > 99) {
            throw new HearthException.BadRequest("canary must be a whole percent from 1 to 99, got " + percent
                    + (percent >= 100 ? " (to send every job to a version, deploy without --canary or promote it)"
                    : ""));
        }
    }

    private static byte[] sha256(byte[] in) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(in);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
