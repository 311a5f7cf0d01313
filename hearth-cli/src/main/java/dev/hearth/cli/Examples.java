package dev.hearth.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/** Finds the example functions that ship with Hearth ({@code examples/<name>/hearth.yaml}). */
final class Examples {

    static final String DIR = "examples";

    private Examples() {
    }

    /** Every {@code <dir>/*}{@code /hearth.yaml} (or {@code cog.yaml}, for a Cog model), by name. */
    static List<Path> manifests(Path examplesDir) {
        if (!Files.isDirectory(examplesDir)) {
            return List.of();
        }
        try (Stream<Path> dirs = Files.list(examplesDir)) {
            // a Cog model's directory has a cog.yaml and no hearth.yaml
            return dirs.map(d -> Files.isRegularFile(d.resolve("hearth.yaml")) ? d.resolve("hearth.yaml")
                    : d.resolve("cog.yaml")).filter(Files::isRegularFile).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + examplesDir + ": " + e.getMessage(), e);
        }
    }

    /**
     * The examples directory of a Hearth checkout: looked for from the working directory upwards, then from the
     * jar upwards (the launcher's jar is {@code hearth-cli/target/hearth.jar}, so the demo works from anywhere).
     */
    static Optional<Path> find(Context ctx) {
        List<Path> starts = new ArrayList<>();
        starts.add(ctx.cwd());
        jarLocation().ifPresent(starts::add);
        for (Path start : starts) {
            for (Path p = start; p != null; p = p.getParent()) {
                Path candidate = p.resolve(DIR);
                if (Files.isRegularFile(candidate.resolve("echo").resolve("hearth.yaml"))) {
                    return Optional.of(candidate);
                }
            }
        }
        return Optional.empty();
    }

    private static Optional<Path> jarLocation() {
        try {
            var source = Examples.class.getProtectionDomain().getCodeSource();
            return source == null ? Optional.empty()
                    : Optional.of(Path.of(source.getLocation().toURI()).toAbsolutePath());
        } catch (URISyntaxException | SecurityException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
