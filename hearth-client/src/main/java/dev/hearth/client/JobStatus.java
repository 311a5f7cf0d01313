package dev.hearth.client;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * The status object of a job, as {@code /v2/{function}/status/{id}} answers it. Fields the server omitted are null.
 *
 * @param id            the job id
 * @param status        its state
 * @param delayTime     ms from submission to the start of execution
 * @param executionTime ms of execution
 * @param output        the result (or the latest progress update while running)
 * @param error         what the worker reported when the job failed
 * @param coldStart     whether the job waited for a worker to start
 * @param initTime      that worker's start-up time in ms
 * @param workerId      the worker that ran (or runs) it
 * @param version       the function version it ran on
 * @param attempts      how many times it was handed to a worker
 * @param reason        why a queued job is still waiting, e.g. no free GPU of the requested type
 */
@JsonInclude(JsonInclude.Include.NON_NULL) // written back as JSON, it reads like the server's own status object
public record JobStatus(String id, JobState status, Long delayTime, Long executionTime, JsonNode output,
                        String error, Boolean coldStart, Long initTime, String workerId, Integer version,
                        Integer attempts, String reason) {

    /** Whether the job has ended. */
    @JsonIgnore
    public boolean isFinal() {
        return status.isFinal();
    }

    /** Whether the job ended with a result. */
    @JsonIgnore
    public boolean isCompleted() {
        return status == JobState.COMPLETED;
    }
}
