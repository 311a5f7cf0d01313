package dev.hearth.server.workers;

import java.time.Instant;
import java.util.List;

/**
 * A function version whose workers keep dying before they ask for their first job: not a lack of capacity but a
 * broken handler (an import that fails, a missing file). Its queued jobs fail, new ones are refused, and no worker
 * starts for it until a redeploy or {@code hearth restart}.
 *
 * @param error     what the last worker died of, and what to do
 * @param lastLines the last lines the last worker printed, secret values masked
 * @param failures  how many workers in a row died before their first job
 */
public record CrashLoop(String function, int version, String error, List<String> lastLines, int failures,
                        Instant since) {

    public CrashLoop {
        lastLines = List.copyOf(lastLines);
    }
}
