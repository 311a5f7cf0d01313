package dev.hearth.server.disk;

import dev.hearth.errors.HearthException;
import dev.hearth.functions.ByteSize;
import dev.hearth.functions.FunctionVersion;
import dev.hearth.jobs.Job;
import dev.hearth.server.jobs.SubmitGate;
import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.logging.Logger;

/**
 * The free space the server keeps on its data dir's file system ({@code --min-free-disk}): below it new work (jobs
 * submitted or retried, deploys) is refused with 507, so that the jobs already accepted still have room for their
 * leases, results and timelines, and the store never meets a full disk in the first place.
 *
 * <p>Admission reads a number: the file system is asked by {@link #refresh()}, which the control plane's housekeeping
 * calls once a second, not once per request (a {@code statfs} per submit would cost more than the check is worth at
 * thousands of submits a second). So the floor is noticed up to a second late; the store's own disk-full error (also
 * 507) covers that second.
 */
public final class FreeSpaceFloor implements SubmitGate {

    private static final Logger LOG = Logger.getLogger(FreeSpaceFloor.class.getName());

    private final FileStore fileStore;
    private final Path dir;
    private final long floorBytes;
    private volatile long usable = Long.MAX_VALUE;
    private volatile boolean below;

    /** @param floorBytes the free bytes to keep; 0 keeps none (only the store's own disk-full error refuses work) */
    public FreeSpaceFloor(Path dir, long floorBytes) {
        if (floorBytes < 0) {
            throw new IllegalArgumentException("the free-space floor must be 0 or more bytes, got " + floorBytes);
        }
        this.dir = dir;
        this.floorBytes = floorBytes;
        try {
            this.fileStore = Files.getFileStore(dir);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot find the file system of " + dir, e);
        }
        refresh();
    }

    /** Asks the file system how much space is free; cheap enough for once a second. */
    public void refresh() {
        if (floorBytes == 0) {
            return;
        }
        long now;
        try {
            now = fileStore.getUsableSpace();
        } catch (IOException e) {
            LOG.warning("cannot read the free space of " + dir + " (" + e.getMessage() + "); the last reading stands");
            return;
        }
        usable = now;
        boolean nowBelow = now < floorBytes;
        if (nowBelow != below) {
            below = nowBelow;
            if (nowBelow) {
                LOG.warning(dir + " has " + ByteSize.format(now) + " free, less than --min-free-disk "
                        + ByteSize.format(floorBytes) + ": new jobs and deploys are refused (507) until space is "
                        + "freed; running jobs go on");
            } else {
                LOG.info(dir + " has " + ByteSize.format(now) + " free again (--min-free-disk "
                        + ByteSize.format(floorBytes) + "): new jobs and deploys are accepted");
            }
        }
    }

    /** The free bytes at the last reading. */
    public long usableBytes() {
        return usable;
    }

    /** @throws HearthException.InsufficientStorage while the free space is below the floor */
    public void check(String what) {
        if (below) {
            throw new HearthException.InsufficientStorage("the server is low on disk space (less than the "
                    + ByteSize.format(floorBytes) + " it keeps free, --min-free-disk): " + what + " refused until "
                    + "space is freed on the server; jobs already accepted go on");
        }
    }

    @Override
    public void admit(Job job, FunctionVersion fn) {
        check("new jobs are");
    }

    @Override
    public void release(Job job) {
        // nothing was reserved
    }
}
