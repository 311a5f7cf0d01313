package dev.hearth.worker;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * How a worker reaches the control plane and how many jobs it runs at once. Immutable; build one with {@link
 * #newBuilder()} or read the process environment with {@link #fromEnvironment()}.
 *
 * <p>The environment variables are the ones the control plane sets for every worker (the same ones runpod-python
 * reads):
 *
 * <table>
 * <caption>Variables</caption>
 * <tr><th>variable</th><th>setting</th></tr>
 * <tr><td>{@code RUNPOD_WEBHOOK_GET_JOB}</td><td>{@link Builder#setJobTakeUrl} (required)</td></tr>
 * <tr><td>{@code RUNPOD_WEBHOOK_POST_OUTPUT}</td><td>{@link Builder#setJobDoneUrl} (required)</td></tr>
 * <tr><td>{@code RUNPOD_WEBHOOK_POST_STREAM}</td><td>{@link Builder#setJobStreamUrl}</td></tr>
 * <tr><td>{@code RUNPOD_WEBHOOK_PING}</td><td>{@link Builder#setPingUrl}</td></tr>
 * <tr><td>{@code RUNPOD_PING_INTERVAL}</td><td>{@link Builder#setPingInterval}, in ms (default 10000)</td></tr>
 * <tr><td>{@code RUNPOD_AI_API_KEY}</td><td>{@link Builder#setApiKey}</td></tr>
 * <tr><td>{@code RUNPOD_POD_ID}</td><td>{@link Builder#setWorkerId} (required)</td></tr>
 * <tr><td>{@code RUNPOD_ENDPOINT_ID}</td><td>{@link Builder#setEndpointId}</td></tr>
 * <tr><td>{@code HEARTH_CONCURRENCY}</td><td>{@link Builder#setConcurrency} (default 1)</td></tr>
 * </table>
 */
public final class WorkerOptions {

    static final String TAKE_URL = "RUNPOD_WEBHOOK_GET_JOB";
    static final String DONE_URL = "RUNPOD_WEBHOOK_POST_OUTPUT";
    static final String STREAM_URL = "RUNPOD_WEBHOOK_POST_STREAM";
    static final String PING_URL = "RUNPOD_WEBHOOK_PING";
    static final String PING_INTERVAL = "RUNPOD_PING_INTERVAL";
    static final String API_KEY = "RUNPOD_AI_API_KEY";
    static final String WORKER_ID = "RUNPOD_POD_ID";
    static final String ENDPOINT_ID = "RUNPOD_ENDPOINT_ID";
    static final String CONCURRENCY = "HEARTH_CONCURRENCY";
    static final String HOSTNAME = "RUNPOD_POD_HOSTNAME";

    private final String jobTakeUrl;
    private final String jobDoneUrl;
    private final String jobStreamUrl;
    private final String pingUrl;
    private final Duration pingInterval;
    private final String apiKey;
    private final String workerId;
    private final String endpointId;
    private final int concurrency;
    private final ObjectMapper objectMapper;
    private final String hostname;
    private final Duration pollTimeout;
    private final Duration pollBackoff;
    private final Duration retryBackoff;
    private final int resultAttempts;

    private WorkerOptions(Builder b) {
        this.jobTakeUrl = b.jobTakeUrl;
        this.jobDoneUrl = b.jobDoneUrl;
        this.jobStreamUrl = b.jobStreamUrl;
        this.pingUrl = b.pingUrl;
        this.pingInterval = b.pingInterval;
        this.apiKey = b.apiKey;
        this.workerId = b.workerId;
        this.endpointId = b.endpointId;
        this.concurrency = b.concurrency;
        this.objectMapper = b.objectMapper != null ? b.objectMapper : JsonMapper.builder().findAndAddModules().build();
        this.hostname = b.hostname;
        this.pollTimeout = b.pollTimeout;
        this.pollBackoff = b.pollBackoff;
        this.retryBackoff = b.retryBackoff;
        this.resultAttempts = b.resultAttempts;
    }

    /** A builder with the defaults and nothing read from the environment. */
    public static Builder newBuilder() {
        return new Builder();
    }

    /**
     * The options the control plane passed to this process.
     *
     * @throws IllegalStateException when a required variable is missing or a value is malformed
     */
    public static WorkerOptions fromEnvironment() {
        return newBuilder().setEnvironment(System.getenv()).build();
    }

    /** A builder holding these options, to derive variants. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** The job-take URL template; {@code $ID} stands for the worker id. */
    public String getJobTakeUrl() {
        return jobTakeUrl;
    }

    /** The job-done URL template; {@code $RUNPOD_POD_ID} stands for the worker id, {@code $ID} for the job id. */
    public String getJobDoneUrl() {
        return jobDoneUrl;
    }

    /** The stream-chunk URL template, with the same placeholders as {@link #getJobDoneUrl()}. */
    public Optional<String> getJobStreamUrl() {
        return Optional.ofNullable(jobStreamUrl);
    }

    /** The heartbeat URL template; {@code $RUNPOD_POD_ID} stands for the worker id. Without it no heartbeat. */
    public Optional<String> getPingUrl() {
        return Optional.ofNullable(pingUrl);
    }

    /** How often the heartbeat renews the leases of running jobs. */
    public Duration getPingInterval() {
        return pingInterval;
    }

    /** The worker's token, sent raw in {@code Authorization}. */
    public Optional<String> getApiKey() {
        return Optional.ofNullable(apiKey);
    }

    /** This worker's id. */
    public String getWorkerId() {
        return workerId;
    }

    /** The function (endpoint) this worker serves; informational. */
    public Optional<String> getEndpointId() {
        return Optional.ofNullable(endpointId);
    }

    /** How many jobs run at once. */
    public int getConcurrency() {
        return concurrency;
    }

    /** The mapper for job input, outputs, chunks and progress updates. */
    public ObjectMapper getObjectMapper() {
        return objectMapper;
    }

    String hostname() {
        return hostname;
    }

    Duration pollTimeout() {
        return pollTimeout;
    }

    Duration pollBackoff() {
        return pollBackoff;
    }

    Duration retryBackoff() {
        return retryBackoff;
    }

    int resultAttempts() {
        return resultAttempts;
    }

    @Override
    public String toString() {
        // The API key is a credential: never print it.
        return "WorkerOptions{workerId=" + workerId + ", endpointId=" + endpointId + ", concurrency=" + concurrency
                + ", jobTakeUrl=" + jobTakeUrl + ", pingInterval=" + pingInterval + "}";
    }

    /** Builds {@link WorkerOptions}. Not thread-safe. */
    public static final class Builder {

        private String jobTakeUrl;
        private String jobDoneUrl;
        private String jobStreamUrl;
        private String pingUrl;
        private Duration pingInterval = Duration.ofSeconds(10);
        private String apiKey;
        private String workerId;
        private String endpointId;
        private int concurrency = 1;
        private ObjectMapper objectMapper;
        private String hostname = "unknown";
        // The control plane long-polls takes for ~30 s; 90 s (runpod-python's value) leaves room for a slow answer.
        private Duration pollTimeout = Duration.ofSeconds(90);
        private Duration pollBackoff = Duration.ofSeconds(5);
        // 5 attempts, waits doubling from 625 ms: a result survives ~10 s of control plane trouble.
        private Duration retryBackoff = Duration.ofMillis(625);
        private int resultAttempts = 5;

        private Builder() {
        }

        private Builder(WorkerOptions o) {
            jobTakeUrl = o.jobTakeUrl;
            jobDoneUrl = o.jobDoneUrl;
            jobStreamUrl = o.jobStreamUrl;
            pingUrl = o.pingUrl;
            pingInterval = o.pingInterval;
            apiKey = o.apiKey;
            workerId = o.workerId;
            endpointId = o.endpointId;
            concurrency = o.concurrency;
            objectMapper = o.objectMapper;
            hostname = o.hostname;
            pollTimeout = o.pollTimeout;
            pollBackoff = o.pollBackoff;
            retryBackoff = o.retryBackoff;
            resultAttempts = o.resultAttempts;
        }

        /**
         * Reads the worker variables (see {@link WorkerOptions}) from {@code env}. Variables present in {@code env}
         * replace earlier settings; absent ones leave them alone, so call this first and override after.
         *
         * @throws IllegalStateException when a numeric variable is malformed
         */
        public Builder setEnvironment(Map<String, String> env) {
            Objects.requireNonNull(env, "env");
            jobTakeUrl = env.getOrDefault(TAKE_URL, jobTakeUrl);
            jobDoneUrl = env.getOrDefault(DONE_URL, jobDoneUrl);
            jobStreamUrl = env.getOrDefault(STREAM_URL, jobStreamUrl);
            pingUrl = env.getOrDefault(PING_URL, pingUrl);
            apiKey = env.getOrDefault(API_KEY, apiKey);
            workerId = env.getOrDefault(WORKER_ID, workerId);
            endpointId = env.getOrDefault(ENDPOINT_ID, endpointId);
            hostname = env.getOrDefault(HOSTNAME, env.getOrDefault("HOSTNAME", hostname));
            if (env.get(PING_INTERVAL) != null) {
                pingInterval = Duration.ofMillis(number(env, PING_INTERVAL));
            }
            if (env.get(CONCURRENCY) != null) {
                concurrency = (int) number(env, CONCURRENCY);
            }
            return this;
        }

        private static long number(Map<String, String> env, String name) {
            try {
                return Long.parseLong(env.get(name).strip());
            } catch (NumberFormatException e) {
                throw new IllegalStateException(name + " must be a whole number, got '" + env.get(name) + "'", e);
            }
        }

        /** The job-take URL template; {@code $ID} is replaced by the worker id. */
        public Builder setJobTakeUrl(String url) {
            this.jobTakeUrl = url;
            return this;
        }

        /** The job-done URL template; {@code $RUNPOD_POD_ID} is replaced by the worker id, {@code $ID} by the job id. */
        public Builder setJobDoneUrl(String url) {
            this.jobDoneUrl = url;
            return this;
        }

        /** The stream-chunk URL template; without it, chunks only reach the client in the final output. */
        public Builder setJobStreamUrl(String url) {
            this.jobStreamUrl = url;
            return this;
        }

        /** The heartbeat URL template; without it the worker sends no heartbeat. */
        public Builder setPingUrl(String url) {
            this.pingUrl = url;
            return this;
        }

        /** How often to send the heartbeat; must be positive. */
        public Builder setPingInterval(Duration interval) {
            this.pingInterval = interval;
            return this;
        }

        /** The worker's token, sent raw in {@code Authorization}. */
        public Builder setApiKey(String apiKey) {
            this.apiKey = apiKey;
            return this;
        }

        /** This worker's id, as the control plane knows it. */
        public Builder setWorkerId(String workerId) {
            this.workerId = workerId;
            return this;
        }

        /** The function this worker serves; informational. */
        public Builder setEndpointId(String endpointId) {
            this.endpointId = endpointId;
            return this;
        }

        /** How many jobs may run at once; at least 1. */
        public Builder setConcurrency(int concurrency) {
            this.concurrency = concurrency;
            return this;
        }

        /** The mapper for inputs and outputs; by default a plain mapper with the modules found on the class path. */
        public Builder setObjectMapper(ObjectMapper objectMapper) {
            this.objectMapper = objectMapper;
            return this;
        }

        // Timing knobs stay package-private: the protocol fixes them, tests shrink them.

        Builder setPollTimeout(Duration pollTimeout) {
            this.pollTimeout = pollTimeout;
            return this;
        }

        Builder setPollBackoff(Duration pollBackoff) {
            this.pollBackoff = pollBackoff;
            return this;
        }

        Builder setRetryBackoff(Duration retryBackoff) {
            this.retryBackoff = retryBackoff;
            return this;
        }

        Builder setResultAttempts(int resultAttempts) {
            this.resultAttempts = resultAttempts;
            return this;
        }

        /**
         * The options.
         *
         * @throws IllegalStateException when a required setting is missing or a value is out of range
         */
        public WorkerOptions build() {
            require(jobTakeUrl, TAKE_URL, "job-take URL");
            require(jobDoneUrl, DONE_URL, "job-done URL");
            require(workerId, WORKER_ID, "worker id");
            if (concurrency < 1) {
                throw new IllegalStateException("concurrency (" + CONCURRENCY + ") must be at least 1, got "
                        + concurrency);
            }
            if (pingInterval == null || pingInterval.isNegative() || pingInterval.isZero()) {
                throw new IllegalStateException("ping interval (" + PING_INTERVAL + ") must be positive, got "
                        + pingInterval);
            }
            if (resultAttempts < 1) {
                throw new IllegalStateException("result attempts must be at least 1");
            }
            return new WorkerOptions(this);
        }

        private static void require(String value, String variable, String what) {
            if (value == null || value.isBlank()) {
                throw new IllegalStateException("no " + what + ": set " + variable
                        + " (the Hearth control plane sets it for every worker it starts)");
            }
        }
    }
}
