package dev.hearth.runtime.local;

import dev.hearth.runtime.WorkerStartException;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Makes a directory that workers write into (a volume) theirs: owned by the worker user, down to every file in it.
 * Done when a worker first gets it (a new volume, or one from before workers ran as that user); after that the
 * directory's owner says it is done, and what the server adds later (uploads) takes the directory's owner.
 */
final class WritableDirs {

    private WritableDirs() {
    }

    static void handOver(Path dir, WorkerUser user) {
        try {
            if (ownerOf(dir) == user.uid()) {
                return;
            }
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) throws IOException {
                    if (!d.equals(dir)) {
                        chown(d, user);
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) throws IOException {
                    chown(f, user);
                    return FileVisitResult.CONTINUE;
                }
            });
            chown(dir, user); // last: the marker that all of it is done
        } catch (IOException e) {
            throw new WorkerStartException("cannot give " + dir + " to the worker user " + user.name() + ": "
                    + e.getMessage(), e);
        }
    }

    private static int ownerOf(Path p) throws IOException {
        return (Integer) Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS);
    }

    private static void chown(Path p, WorkerUser user) throws IOException {
        Files.setAttribute(p, "unix:uid", user.uid(), LinkOption.NOFOLLOW_LINKS);
        Files.setAttribute(p, "unix:gid", user.gid(), LinkOption.NOFOLLOW_LINKS);
    }
}
