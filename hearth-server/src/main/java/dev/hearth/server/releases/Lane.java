package dev.hearth.server.releases;

/**
 * Which released version of a function a queued job waits for and a worker serves: the active version, or the canary
 * while one runs. Workers take only jobs of their own lane, so a job runs on the version it was assigned.
 */
public enum Lane {
    STABLE,
    CANARY
}
