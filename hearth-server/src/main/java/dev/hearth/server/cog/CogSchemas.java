package dev.hearth.server.cog;

import dev.hearth.functions.FunctionManifest;
import dev.hearth.functions.FunctionVersion;
import dev.hearth.functions.ManifestException;
import dev.hearth.functions.ModelSchemas;
import dev.hearth.functions.Runtime;
import dev.hearth.server.functions.FunctionRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * The OpenAPI schemas of Cog predictors (a handler that names a class, as {@code cog.yaml}'s {@code predict} does),
 * computed at deploy from the predictor's source by {@code hearth_worker._cog}, which reads its type hints with
 * Python's {@code ast} without importing the model (no packages, no GPU, no set-up needed). A bundle's schema depends
 * on its content only, so it is kept once per bundle hash, in {@code schemas/<sha256>.json}.
 */
public final class CogSchemas implements ModelSchemas {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final Path root;
    private final String python;
    private final Path pythonLib;
    private final FunctionRegistry functions;

    /**
     * @param root      where the schemas are kept
     * @param python    the interpreter that reads the predictor's source
     * @param pythonLib the directory holding {@code hearth_worker}
     */
    public CogSchemas(Path root, String python, Path pythonLib, FunctionRegistry functions) {
        this.root = root;
        this.python = python;
        this.pythonLib = pythonLib;
        this.functions = functions;
    }

    /**
     * Before a deploy: computes the schema of a predictor's bundle. A predictor that cannot be read (a syntax error,
     * no such class, no {@code predict} method) refuses the deploy, as {@code cog build} would.
     */
    public void prepare(FunctionManifest manifest, Path bundleDir) {
        if (manifest.runtime() != Runtime.PYTHON) {
            return;
        }
        String handler = manifest.handler();
        int colon = handler.lastIndexOf(':');
        String file = handler.substring(0, colon);
        String name = handler.substring(colon + 1);
        Path source = bundleDir.resolve(file);
        Path target = root.resolve(bundleDir.getFileName() + ".json");
        try {
            if (Files.isRegularFile(target) || !Files.isRegularFile(source) || !declaresClass(source, name)) {
                return;
            }
            Files.createDirectories(root);
            Path out = Files.createTempFile(root, ".schema-", ".json");
            Path err = Files.createTempFile(root, ".schema-", ".err");
            try {
                ProcessBuilder pb = new ProcessBuilder(python, "-m", "hearth_worker._cog", "schema", file, name)
                        .directory(bundleDir.toFile())
                        .redirectOutput(out.toFile()).redirectError(err.toFile());
                pb.environment().put("PYTHONPATH", pythonLib.toString());
                pb.environment().put("PYTHONDONTWRITEBYTECODE", "1");
                Process p = pb.start();
                if (!p.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    throw new ManifestException("'handler': reading the schema of " + handler + " took more than "
                            + TIMEOUT.toSeconds() + " s");
                }
                if (p.exitValue() == 2) {
                    throw new ManifestException("'handler' names the predictor " + handler + ", which cannot be read: "
                            + Files.readString(err, StandardCharsets.UTF_8).strip());
                }
                if (p.exitValue() != 0) {
                    throw new IllegalStateException("reading the schema of " + handler + " failed (exit "
                            + p.exitValue() + "): " + Files.readString(err, StandardCharsets.UTF_8).strip());
                }
                Files.move(out, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot compute the schema of " + handler, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading the schema of " + handler, e);
        }
    }

    /** Whether the file defines {@code class <name>} at its top level: a handler that names a class is a predictor. */
    private static boolean declaresClass(Path source, String name) throws IOException {
        String text = new String(Files.readAllBytes(source), StandardCharsets.UTF_8);
        return Pattern.compile("(?m)^class\\s+" + Pattern.quote(name) + "\\b").matcher(text).find();
    }

    @Override
    public Optional<String> openApiSchema(String function, int version) {
        Optional<FunctionVersion> v = functions.find(function, version);
        if (v.isEmpty()) {
            return Optional.empty();
        }
        Path file = root.resolve(v.get().bundleSha256() + ".json");
        try {
            return Files.isRegularFile(file) ? Optional.of(Files.readString(file, StandardCharsets.UTF_8))
                    : Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the schema " + file, e);
        }
    }
}
