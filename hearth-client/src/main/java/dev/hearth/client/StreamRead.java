package dev.hearth.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * One read of a job's stream ({@link JobHandle#readStream()}): the chunks its generator yielded that no read handed
 * out before, and the job's state when the server answered.
 *
 * @param status the job's state; a final state with no chunks means the stream is over (chunks posted between the
 *               server's read and its state check come with the next read)
 * @param chunks the new chunks, oldest first; JSON null for a yielded {@code None}
 */
public record StreamRead(JobState status, List<JsonNode> chunks) {

    public StreamRead {
        chunks = List.copyOf(chunks);
    }

    /** Whether the stream is over: the job is final and nothing was left to hand out. */
    public boolean isEnd() {
        return status.isFinal() && chunks.isEmpty();
    }
}
