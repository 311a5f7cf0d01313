package dev.hearth.client;

import java.time.Instant;

/**
 * A pre-initialized process ({@code scaling.preinit}) as {@code GET /v1/workers} lists it under {@code
 * preinitialized}: started without a GPU, it imports the handler and runs its setup, then waits until a worker is
 * needed and it is given GPUs. It is not a worker until then.
 *
 * @param id        its id, which it keeps as a worker
 * @param function  the function it was started for
 * @param version   the function version it runs
 * @param state     {@code SETTING_UP} (importing, running setup()) or {@code WAITING_FOR_GPU} (ready to be handed over)
 * @param pid       its process id, or 0 if unknown
 * @param startedAt when it was started, or null
 */
public record PreinitInfo(String id, String function, int version, String state, long pid, Instant startedAt) {
}
